#include "pipewright/engine/SecretCompare.h"

#include <openssl/crypto.h>

namespace pw {

bool sameSecret(const QByteArray& given, const QString& expected) {
  const QByteArray b = expected.toUtf8();
  return !b.isEmpty() && given.size() == b.size() &&
         CRYPTO_memcmp(given.constData(), b.constData(), static_cast<size_t>(b.size())) == 0;
}

}  // namespace pw
