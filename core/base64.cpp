#include "core/base64.hpp"

#include <array>
#include <cstdint>

namespace hookwarden {

namespace {

constexpr char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

constexpr std::array<std::int8_t, 256> decode_table = [] {
    std::array<std::int8_t, 256> table{};
    table.fill(-1);
    for (int i = 0; i < 64; ++i)
        table[static_cast<unsigned char>(alphabet[i])] = static_cast<std::int8_t>(i);
    return table;
}();

} // namespace

std::string base64_encode(std::span<const unsigned char> bytes) {
    std::string out;
    out.reserve((bytes.size() + 2) / 3 * 4);
    std::size_t i = 0;
    for (; i + 3 <= bytes.size(); i += 3) {
        const std::uint32_t v = (std::uint32_t{bytes[i]} << 16) | (std::uint32_t{bytes[i + 1]} << 8) | bytes[i + 2];
        out += alphabet[(v >> 18) & 63];
        out += alphabet[(v >> 12) & 63];
        out += alphabet[(v >> 6) & 63];
        out += alphabet[v & 63];
    }
    if (const std::size_t rest = bytes.size() - i; rest > 0) {
        std::uint32_t v = std::uint32_t{bytes[i]} << 16;
        if (rest == 2)
            v |= std::uint32_t{bytes[i + 1]} << 8;
        out += alphabet[(v >> 18) & 63];
        out += alphabet[(v >> 12) & 63];
        out += rest == 2 ? alphabet[(v >> 6) & 63] : '=';
        out += '=';
    }
    return out;
}

std::optional<std::string> base64_decode_strict(std::string_view text) {
    if (text.size() % 4 != 0)
        return std::nullopt;
    std::size_t padding = 0;
    if (!text.empty() && text.back() == '=')
        padding = text[text.size() - 2] == '=' ? 2 : 1;

    std::string out;
    out.reserve(text.size() / 4 * 3);
    for (std::size_t i = 0; i < text.size(); i += 4) {
        const bool last = i + 4 == text.size();
        const std::size_t digits = last ? 4 - padding : 4;
        std::uint32_t v = 0;
        for (std::size_t j = 0; j < 4; ++j) {
            std::int8_t d = 0;
            if (j < digits) {
                d = decode_table[static_cast<unsigned char>(text[i + j])];
                if (d < 0)
                    return std::nullopt; // '=' inside, or not in the alphabet
            }
            v = (v << 6) | static_cast<std::uint32_t>(d);
        }
        // Bits the padding leaves unused must be zero: "QQ==" is "A", "QR==" is not base64.
        if ((padding == 2 && last && (v & 0xffff) != 0) || (padding == 1 && last && (v & 0xff) != 0))
            return std::nullopt;
        out += static_cast<char>((v >> 16) & 0xff);
        if (digits > 2)
            out += static_cast<char>((v >> 8) & 0xff);
        if (digits > 3)
            out += static_cast<char>(v & 0xff);
    }
    return out;
}

} // namespace hookwarden
