#include "pipewright/engine/KurentoError.h"

namespace pw {

QString errorTypeName(ErrorCode code) {
  switch (code) {
    case ErrorCode::ParseError: return QStringLiteral("PARSE_ERROR");
    case ErrorCode::InvalidRequest: return QStringLiteral("INVALID_REQUEST");
    case ErrorCode::MethodNotFound: return QStringLiteral("METHOD_NOT_FOUND");
    case ErrorCode::InvalidParams: return QStringLiteral("INVALID_PARAMS");
    case ErrorCode::InternalError: return QStringLiteral("INTERNAL_ERROR");
    case ErrorCode::ServerError: return QStringLiteral("SERVER_ERROR");
    case ErrorCode::MarshallError: return QStringLiteral("MARSHALL_ERROR");
    case ErrorCode::UnexpectedError: return QStringLiteral("UNEXPECTED_ERROR");
    case ErrorCode::ConnectError: return QStringLiteral("CONNECT_ERROR");
    case ErrorCode::UnsupportedMediaType: return QStringLiteral("UNSUPPORTED_MEDIA_TYPE");
    case ErrorCode::NotImplemented: return QStringLiteral("NOT_IMPLEMENTED");
    case ErrorCode::InvalidSession: return QStringLiteral("INVALID_SESSION");
    case ErrorCode::MalformedTransaction: return QStringLiteral("MALFORMED_TRANSACTION");
    case ErrorCode::NotEnoughResources: return QStringLiteral("NOT_ENOUGH_RESOURCES");
    case ErrorCode::MediaObjectTypeNotFound: return QStringLiteral("MEDIA_OBJECT_TYPE_NOT_FOUND");
    case ErrorCode::MediaObjectNotFound: return QStringLiteral("MEDIA_OBJECT_NOT_FOUND");
    case ErrorCode::MediaObjectConstructorNotFound: return QStringLiteral("MEDIA_OBJECT_CONSTRUCTOR_NOT_FOUND");
    case ErrorCode::MediaObjectMethodNotFound: return QStringLiteral("MEDIA_OBJECT_METHOD_NOT_FOUND");
    case ErrorCode::MediaObjectEventNotSupported: return QStringLiteral("MEDIA_OBJECT_EVENT_NOT_SUPPORTED");
    case ErrorCode::MediaObjectIllegalParamError: return QStringLiteral("MEDIA_OBJECT_ILLEGAL_PARAM_ERROR");
    case ErrorCode::MediaObjectNotAvailable: return QStringLiteral("MEDIA_OBJECT_NOT_AVAILABLE");
    case ErrorCode::MediaObjectNotFoundTransactionNoCommit:
      return QStringLiteral("MEDIA_OBJECT_NOT_FOUND_TRANSACTION_NO_COMMIT");
    case ErrorCode::MediaObjectTagKeyNotFound: return QStringLiteral("MEDIA_OBJECT_TAG_KEY_NOT_FOUND");
    case ErrorCode::MediaObjectOperationNotSupported: return QStringLiteral("MEDIA_OBJECT_OPERATION_NOT_SUPPORTED");
    case ErrorCode::SdpCreateError: return QStringLiteral("SDP_CREATE_ERROR");
    case ErrorCode::SdpParseError: return QStringLiteral("SDP_PARSE_ERROR");
    case ErrorCode::SdpEndPointNoLocalSdpError: return QStringLiteral("SDP_END_POINT_NO_LOCAL_SDP_ERROR");
    case ErrorCode::SdpEndPointNoRemoteSdpError: return QStringLiteral("SDP_END_POINT_NO_REMOTE_SDP_ERROR");
    case ErrorCode::SdpEndPointGenerateOfferError: return QStringLiteral("SDP_END_POINT_GENERATE_OFFER_ERROR");
    case ErrorCode::SdpEndPointProcessOfferError: return QStringLiteral("SDP_END_POINT_PROCESS_OFFER_ERROR");
    case ErrorCode::SdpEndPointProcessAnswerError: return QStringLiteral("SDP_END_POINT_PROCESS_ANSWER_ERROR");
    case ErrorCode::SdpConfigurationError: return QStringLiteral("SDP_CONFIGURATION_ERROR");
    case ErrorCode::SdpEndPointAlreadyNegotiated: return QStringLiteral("SDP_END_POINT_ALREADY_NEGOTIATED");
    case ErrorCode::SdpEndPointNotOfferGenerated: return QStringLiteral("SDP_END_POINT_NOT_OFFER_GENERATED");
    case ErrorCode::SdpEndPointAnswerAlreadyProcessed: return QStringLiteral("SDP_END_POINT_ANSWER_ALREADY_PROCCESED");
    case ErrorCode::SdpEndPointCannotCreateSession: return QStringLiteral("SDP_END_POINT_CANNOT_CREATE_SESSON");
    case ErrorCode::IceGatherCandidatesError: return QStringLiteral("ICE_GATHER_CANDIDATES_ERROR");
    case ErrorCode::IceAddCandidateError: return QStringLiteral("ICE_ADD_CANDIDATE_ERROR");
    case ErrorCode::ServerManagerErrorKmdNotFound: return QStringLiteral("SERVER_MANAGER_ERROR_KMD_NOT_FOUND");
    case ErrorCode::UriPathFileNotFound: return QStringLiteral("URI_PATH_FILE_NOT_FOUND");
    case ErrorCode::PlayerSeekFail: return QStringLiteral("PLAYER_SEEK_FAIL");
  }
  return QStringLiteral("UNDEFINED");
}

QJsonObject KurentoError::toJson() const {
  return QJsonObject{{QStringLiteral("code"), static_cast<int>(code)},
                     {QStringLiteral("message"), message},
                     {QStringLiteral("data"), QJsonObject{{QStringLiteral("type"), errorTypeName(code)}}}};
}

KurentoError KurentoError::objectNotFound(const QString& id) {
  return {ErrorCode::MediaObjectNotFound, QStringLiteral("Object '%1' not found").arg(id)};
}

KurentoError KurentoError::marshall(const QString& paramName, const QString& typeName) {
  return {ErrorCode::MarshallError, QStringLiteral("'%1' parameter should be a %2").arg(paramName, typeName)};
}

KurentoError KurentoError::requiredParam(const QString& paramName) {
  return {ErrorCode::MarshallError, QStringLiteral("'%1' parameter is required").arg(paramName)};
}

KurentoError KurentoError::illegalParam(const QString& message) {
  return {ErrorCode::MediaObjectIllegalParamError, message};
}

KurentoError KurentoError::notImplemented(const QString& what) {
  return {ErrorCode::NotImplemented,
          QStringLiteral("%1 is not implemented yet in this version of Pipewright").arg(what)};
}

}  // namespace pw
