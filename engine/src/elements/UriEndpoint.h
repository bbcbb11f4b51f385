#pragma once

#include "media/MediaElement.h"

namespace pw {

// Base of PlayerEndpoint and RecorderEndpoint: a URI and a STOP/START/PAUSE state.
class UriEndpoint : public MediaElement {
 public:
  enum class State { Stop, Start, Pause };

  UriEndpoint(const Creation& creation, const QString& type, QString uri);

  const QString& uri() const { return uri_; }
  State state() const { return state_; }
  static QString stateName(State s);

  virtual void pause() = 0;
  virtual void stop() = 0;

 protected:
  // Changes the state and raises UriEndpointStateChanged when it differs.
  void setState(State s);

 private:
  QString uri_;
  State state_ = State::Stop;
};

}  // namespace pw
