// The bytes an execution's process hands back to the server: a flat little-endian record in a
// shared memory region, written by the forked child and read by the server after the child
// ended. Values are trivially copyable, vectors and strings are a count followed by their
// elements; a writer that runs out of room says so instead of writing past the region.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace interlace::run {

class WireWriter {
public:
  WireWriter(std::byte *base, std::size_t capacity) : base_(base), capacity_(capacity) {}

  template <class T> void put(const T &value) {
    static_assert(std::is_trivially_copyable_v<T>);
    bytes(&value, sizeof(T));
  }
  template <class T> void put_span(std::span<const T> values) {
    static_assert(std::is_trivially_copyable_v<T>);
    put<std::uint64_t>(values.size());
    bytes(values.data(), values.size_bytes());
  }
  void put_string(std::string_view text) {
    put<std::uint64_t>(text.size());
    bytes(text.data(), text.size());
  }

  std::size_t size() const { return used_; }
  bool overflowed() const { return overflowed_; }

private:
  void bytes(const void *data, std::size_t size) {
    if (overflowed_ || size > capacity_ - used_) {
      overflowed_ = true;
      return;
    }
    if (size != 0) {
      std::memcpy(base_ + used_, data, size);
    }
    used_ += size;
  }

  std::byte *base_;
  std::size_t capacity_;
  std::size_t used_ = 0;
  bool overflowed_ = false;
};

class WireReader {
public:
  WireReader(const std::byte *base, std::size_t size) : base_(base), size_(size) {}

  template <class T> T get() {
    static_assert(std::is_trivially_copyable_v<T>);
    T value{};
    bytes(&value, sizeof(T));
    return value;
  }
  template <class T> std::vector<T> get_vector() {
    const auto count = get<std::uint64_t>();
    std::vector<T> values;
    if (count > (size_ - used_) / (sizeof(T) == 0 ? 1 : sizeof(T))) {
      broken_ = true;
      return values;
    }
    values.resize(count);
    bytes(values.data(), count * sizeof(T));
    return values;
  }
  std::string get_string() {
    const auto count = get<std::uint64_t>();
    if (count > size_ - used_) {
      broken_ = true;
      return {};
    }
    std::string text(count, '\0');
    bytes(text.data(), count);
    return text;
  }

  bool at_end() const { return used_ == size_; }
  bool broken() const { return broken_; }

private:
  void bytes(void *data, std::size_t size) {
    if (broken_ || size > size_ - used_) {
      broken_ = true;
      return;
    }
    if (size != 0) {
      std::memcpy(data, base_ + used_, size);
    }
    used_ += size;
  }

  const std::byte *base_;
  std::size_t size_;
  std::size_t used_ = 0;
  bool broken_ = false;
};

} // namespace interlace::run
