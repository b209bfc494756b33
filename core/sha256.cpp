#include "core/sha256.hpp"

#include <openssl/evp.h>

#include <array>
#include <stdexcept>

namespace hookwarden {

std::string to_hex(std::span<const unsigned char> bytes) {
    static constexpr char hex[] = "0123456789abcdef";
    std::string out;
    out.reserve(bytes.size() * 2);
    for (unsigned char b : bytes) {
        out += hex[b >> 4];
        out += hex[b & 0x0f];
    }
    return out;
}

std::string sha256_hex(std::string_view data) {
    std::array<unsigned char, EVP_MAX_MD_SIZE> md{};
    unsigned int length = 0;
    if (EVP_Digest(data.data(), data.size(), md.data(), &length, EVP_sha256(), nullptr) != 1)
        throw std::runtime_error("SHA-256 is not available from OpenSSL");
    return to_hex(std::span(md.data(), length));
}

} // namespace hookwarden
