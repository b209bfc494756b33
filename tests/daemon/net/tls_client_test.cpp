// The TLS policy shared by the tenant client and the endpoint probe.
#include "daemon/net/tls_client.hpp"

#include "tests/support/doctest_result.hpp"

#include <filesystem>
#include <fstream>
#include <memory>

#include <unistd.h>

using namespace hookwarden;

TEST_CASE("a TLS client context verifies peers and refuses anything older than TLS 1.2") {
    auto tls = make_tls_client_context("");
    REQUIRE(tls);
    CHECK(SSL_CTX_get_min_proto_version(tls->native_handle()) == TLS1_2_VERSION);
    CHECK((SSL_CTX_get_verify_mode(tls->native_handle()) & SSL_VERIFY_PEER) != 0);
}

TEST_CASE("a CA file that cannot be loaded fails the context, naming the file") {
    const auto missing = std::filesystem::temp_directory_path() / "hookwarden-no-such-ca.pem";
    auto tls = make_tls_client_context(missing.string());
    REQUIRE_FALSE(tls);
    CHECK(tls.error().kind == ErrorKind::invalid_input);
    CHECK(tls.error().message.find(missing.string()) != std::string::npos);

    const auto garbage =
        std::filesystem::temp_directory_path() / ("hookwarden-not-a-ca-" + std::to_string(::getpid()) + ".pem");
    std::ofstream(garbage) << "not a certificate\n";
    auto refused = make_tls_client_context(garbage.string());
    std::filesystem::remove(garbage);
    REQUIRE_FALSE(refused);
    CHECK(refused.error().kind == ErrorKind::invalid_input);
}

TEST_CASE("a host name goes out as SNI, an IP address does not") {
    auto tls = make_tls_client_context("");
    REQUIRE(tls);
    const auto connection = [&] {
        return std::unique_ptr<SSL, decltype(&SSL_free)>(SSL_new(tls->native_handle()), &SSL_free);
    };
    auto named = connection();
    REQUIRE(verify_peer_as(named.get(), "api.example.com"));
    CHECK(std::string(SSL_get_servername(named.get(), TLSEXT_NAMETYPE_host_name)) == "api.example.com");
    for (const char* address : {"127.0.0.1", "::1"}) {
        auto literal = connection();
        REQUIRE(verify_peer_as(literal.get(), address));
        CHECK(SSL_get_servername(literal.get(), TLSEXT_NAMETYPE_host_name) == nullptr);
    }
}
