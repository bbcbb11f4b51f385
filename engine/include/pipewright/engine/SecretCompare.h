#pragma once

// Compares a token a client presented with the configured one in time independent of where
// they differ (the control port's access tokens, WHIP/WHEP bearer tokens). An empty expected
// token never matches.

#include <QByteArray>
#include <QString>

namespace pw {

bool sameSecret(const QByteArray& given, const QString& expected);

}  // namespace pw
