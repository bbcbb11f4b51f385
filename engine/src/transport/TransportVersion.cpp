// Keeps the library non-empty while its classes arrive one by one.
namespace pw::transport {
const char* transportName() { return "lean"; }
}  // namespace pw::transport
