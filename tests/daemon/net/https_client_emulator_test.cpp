// HttpsClient's request options over real TLS to the tenant emulator: any
// method as written, HEAD, answers read to their header only, and a
// per-request deadline.
#include "daemon/net/https_client.hpp"
#include "daemon/net/tls_client.hpp"

#include "tests/support/doctest_result.hpp"
#include "tests/support/emulator_control.hpp"
#include "tests/support/emulator_process.hpp"
#include "tests/support/scratch_dir.hpp"

#include <openssl/pem.h>
#include <openssl/x509.h>

#include <cstdio>
#include <cstdlib>

using namespace hookwarden;
using namespace std::chrono_literals;
using test::EmulatorControl;
using test::EmulatorProcess;

namespace {

std::unique_ptr<HttpsClient> client_for(const EmulatorProcess& emulator) {
    auto client = HttpsClient::create({.ca_file = emulator.ca_file().string()});
    REQUIRE(client);
    return std::move(*client);
}

HttpRequest request_to(const EmulatorProcess& emulator, std::string method, std::string target) {
    return HttpRequest{.host = emulator.host(), .port = emulator.port(), .method = std::move(method),
                       .target = std::move(target)};
}

/// OpenSSL's name for `ca_file`'s certificate in a hashed directory.
std::string hash_link_name(const std::filesystem::path& ca_file) {
    std::FILE* pem = std::fopen(ca_file.c_str(), "r");
    REQUIRE(pem != nullptr);
    X509* cert = PEM_read_X509(pem, nullptr, nullptr, nullptr);
    (void)std::fclose(pem); // read, not written: a failed close loses nothing
    REQUIRE(cert != nullptr);
    char name[16];
    const int length = std::snprintf(name, sizeof name, "%08lx.0", X509_subject_name_hash(cert));
    X509_free(cert);
    REQUIRE(length == 10); // the hash is 32 bits
    return name;
}

} // namespace

TEST_CASE("the system trust store is read from OpenSSL's hashed directory, and only from a hashed one") {
    EmulatorProcess emulator({"--quiet"});
    testing::ScratchDir store;
    std::filesystem::create_directories(store / "hashed");
    std::filesystem::create_directories(store / "plain");
    std::filesystem::copy_file(emulator.ca_file(), store / "hashed" / hash_link_name(emulator.ca_file()));
    std::filesystem::copy_file(emulator.ca_file(), store / "plain" / "emulator-ca.pem");
    const auto with_store = [&](const std::filesystem::path& dir, const char* bundle, const auto& use) {
        ::setenv("SSL_CERT_DIR", dir.c_str(), 1);
        if (bundle)
            ::setenv("SSL_CERT_FILE", bundle, 1);
        else
            ::unsetenv("SSL_CERT_FILE");
        use();
        ::unsetenv("SSL_CERT_DIR");
        ::unsetenv("SSL_CERT_FILE");
    };
    const auto answer = [&] {
        auto client = HttpsClient::create({}); // no CA file: the system store only
        REQUIRE(client);
        return (*client)->exchange(request_to(emulator, "GET", "/hooks/in"));
    };
    const auto certificates_loaded = [] {
        auto tls = make_tls_client_context("");
        REQUIRE(tls);
        return sk_X509_OBJECT_num(X509_STORE_get0_objects(SSL_CTX_get_cert_store(tls->native_handle())));
    };

    with_store(store / "hashed", nullptr, [&] {
        // Looked up by its hash when a handshake needs it, not loaded before.
        CHECK(certificates_loaded() == 0);
        const auto trusted = answer();
        REQUIRE(trusted.has_value());
        CHECK(trusted->status == 404);
    });
    with_store(store / "plain", nullptr, [&] {
        // No hash links: no store to look up in. The defaults (the system
        // bundle, without the emulator's CA) decide: refused.
        const auto refused = answer();
        REQUIRE_FALSE(refused.has_value());
        CHECK(refused.error().kind == ErrorKind::transport);
    });
    const std::string bundle = emulator.ca_file().string();
    with_store(store / "hashed", bundle.c_str(), [&] {
        // A bundle named in SSL_CERT_FILE is read, as OpenSSL's defaults do.
        CHECK(certificates_loaded() > 0);
        const auto trusted = answer();
        REQUIRE(trusted.has_value());
        CHECK(trusted->status == 404);
    });
}

TEST_CASE("PATCH and methods Beast does not know go out as written") {
    EmulatorProcess emulator({"--quiet"});
    EmulatorControl control(emulator);
    auto client = client_for(emulator);
    for (const char* method : {"PATCH", "PURGE"}) {
        const auto answer = client->exchange(request_to(emulator, method, "/oauth/token"));
        REQUIRE(answer.has_value());
        CHECK(answer->status == 405); // the token endpoint wants POST
        CHECK(control.request_count(std::string(method) + " /oauth/token") == 1);
    }
}

TEST_CASE("a HEAD answer is read without waiting for the body it announces") {
    EmulatorProcess emulator({"--quiet"});
    auto client = client_for(emulator);
    const auto start = std::chrono::steady_clock::now();
    const auto answer = client->exchange(request_to(emulator, "HEAD", "/hooks/in"));
    CHECK(std::chrono::steady_clock::now() - start < 5s);
    REQUIRE(answer.has_value());
    CHECK(answer->status == 404);
    CHECK(answer->body.empty());
    // The next request is answered in full, on whatever connection.
    const auto next = client->exchange(request_to(emulator, "GET", "/hooks/in"));
    REQUIRE(next.has_value());
    CHECK(next->status == 404);
    CHECK(next->body.find("not.found") != std::string::npos);
}

TEST_CASE("an answer read to its header only has status and headers and no body") {
    EmulatorProcess emulator({"--quiet"});
    auto client = client_for(emulator);
    auto request = request_to(emulator, "GET", "/hooks/in");
    request.read_body = false;
    const auto answer = client->exchange(request);
    REQUIRE(answer.has_value());
    CHECK(answer->status == 404);
    CHECK(answer->header("inin-correlation-id").has_value());
    CHECK(answer->body.empty());
}

TEST_CASE("a request's deadline ends an exchange the server holds") {
    EmulatorProcess emulator({"--quiet"});
    EmulatorControl control(emulator);
    control.add_fault({.path = "^/hooks/in$", .action = "hang", .seconds = 5});
    auto client = client_for(emulator); // its request_timeout is 30 s
    auto request = request_to(emulator, "GET", "/hooks/in");
    request.deadline = std::chrono::steady_clock::now() + 300ms;
    const auto start = std::chrono::steady_clock::now();
    const auto answer = client->exchange(request);
    CHECK(std::chrono::steady_clock::now() - start < 2s);
    REQUIRE_FALSE(answer.has_value());
    CHECK(answer.error().kind == ErrorKind::timeout);
    CHECK(answer.error().maybe_sent);
}
