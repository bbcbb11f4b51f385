#pragma once

// Errors are typed values carrying a Kurento error code (spec §8). Handlers throw
// KurentoException; the Dispatcher catches it in exactly one place and turns it into the
// JSON-RPC error object. Nothing throws across a GLib, GStreamer or Qt callback.

#include <QJsonObject>
#include <QString>

#include <exception>

namespace pw {

enum class ErrorCode : int {
  ParseError = -32700,
  InvalidRequest = -32600,
  MethodNotFound = -32601,
  InvalidParams = -32602,
  InternalError = -32603,
  ServerError = -32000,
  MarshallError = 40001,
  UnexpectedError = 40003,
  ConnectError = 40004,
  UnsupportedMediaType = 40005,
  NotImplemented = 40006,
  InvalidSession = 40007,
  MalformedTransaction = 40008,
  NotEnoughResources = 40009,
  MediaObjectTypeNotFound = 40100,
  MediaObjectNotFound = 40101,
  MediaObjectConstructorNotFound = 40104,
  MediaObjectMethodNotFound = 40105,
  MediaObjectEventNotSupported = 40106,
  MediaObjectIllegalParamError = 40107,
  MediaObjectNotAvailable = 40108,
  MediaObjectNotFoundTransactionNoCommit = 40109,
  MediaObjectTagKeyNotFound = 40110,
  MediaObjectOperationNotSupported = 40111,
  SdpCreateError = 40200,
  SdpParseError = 40201,
  SdpEndPointNoLocalSdpError = 40202,
  SdpEndPointNoRemoteSdpError = 40203,
  SdpEndPointGenerateOfferError = 40204,
  SdpEndPointProcessOfferError = 40205,
  SdpEndPointProcessAnswerError = 40206,
  SdpConfigurationError = 40207,
  SdpEndPointAlreadyNegotiated = 40208,
  SdpEndPointNotOfferGenerated = 40209,
  SdpEndPointAnswerAlreadyProcessed = 40210,
  SdpEndPointCannotCreateSession = 40211,
  IceGatherCandidatesError = 40400,
  IceAddCandidateError = 40401,
  ServerManagerErrorKmdNotFound = 40500,
  UriPathFileNotFound = 40600,
  PlayerSeekFail = 40700,
};

// The symbolic `data.type` of a code ("MEDIA_OBJECT_NOT_FOUND"...).
QString errorTypeName(ErrorCode code);

struct KurentoError {
  ErrorCode code = ErrorCode::UnexpectedError;
  QString message;

  // The JSON-RPC `error` member: {code, message, data:{type}}.
  QJsonObject toJson() const;

  static KurentoError objectNotFound(const QString& id);
  static KurentoError marshall(const QString& paramName, const QString& typeName);
  static KurentoError requiredParam(const QString& paramName);
  static KurentoError illegalParam(const QString& message);
  static KurentoError notImplemented(const QString& what);
};

class KurentoException : public std::exception {
 public:
  explicit KurentoException(KurentoError error) : error_(std::move(error)), what_(error_.message.toUtf8()) {}
  KurentoException(ErrorCode code, const QString& message) : KurentoException(KurentoError{code, message}) {}
  const KurentoError& error() const { return error_; }
  const char* what() const noexcept override { return what_.constData(); }

 private:
  KurentoError error_;
  QByteArray what_;
};

}  // namespace pw
