// The emulator's TLS material: a CA and a server certificate that a client
// verifying peer and host name accepts for 127.0.0.1, ::1 and localhost.
#include "tests/support/file_text.hpp"
#include "tests/emulator/emulator_tls.hpp"
#include "tests/support/doctest_result.hpp"
#include "tests/support/scratch_dir.hpp"

#include <algorithm>
#include <fstream>
#include <memory>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <sstream>
#include <sys/stat.h>
#include <vector>

using namespace hookwarden::emulator;
using hookwarden::testing::read_text;
using hookwarden::testing::ScratchDir;

namespace {

struct X509Free {
    void operator()(X509* x) const { X509_free(x); }
};
using Cert = std::unique_ptr<X509, X509Free>;

Cert read_cert(const std::filesystem::path& path) {
    std::FILE* f = std::fopen(path.c_str(), "r");
    REQUIRE(f);
    Cert cert(PEM_read_X509(f, nullptr, nullptr, nullptr));
    (void)std::fclose(f); // read, not written: a failed close loses nothing
    REQUIRE(cert);
    return cert;
}

/// Verifies `leaf` against `ca` as a TLS client would (chain + purpose).
bool verifies(X509* leaf, X509* ca) {
    X509_STORE* store = X509_STORE_new();
    X509_STORE_add_cert(store, ca);
    X509_STORE_CTX* ctx = X509_STORE_CTX_new();
    X509_STORE_CTX_init(ctx, store, leaf, nullptr);
    X509_STORE_CTX_set_purpose(ctx, X509_PURPOSE_SSL_SERVER);
    const bool ok = X509_verify_cert(ctx) == 1;
    X509_STORE_CTX_free(ctx);
    X509_STORE_free(store);
    return ok;
}

mode_t mode_of(const std::filesystem::path& path) {
    struct stat st {};
    REQUIRE(::stat(path.c_str(), &st) == 0);
    return st.st_mode & 0777;
}

} // namespace

TEST_CASE("a fresh TLS directory gets a CA and a server certificate it signed") {
    ScratchDir dir("emulator-tls-test");
    const auto files = prepare_tls_dir(dir / "tls");
    REQUIRE(files);
    CHECK(files->ca_file == dir / "tls" / "ca.pem");
    CHECK(mode_of(files->key_file) == 0600);
    // Only the server's key: the CA's would let its reader impersonate any host.
    std::vector<std::string> names;
    for (const auto& entry : std::filesystem::directory_iterator(dir / "tls"))
        names.push_back(entry.path().filename().string());
    std::sort(names.begin(), names.end());
    CHECK(names == std::vector<std::string>{"ca.pem", "cert.pem", "key.pem"});

    const auto ca = read_cert(files->ca_file);
    const auto leaf = read_cert(files->cert_file);
    CHECK(verifies(leaf.get(), ca.get()));
    CHECK(X509_check_ip_asc(leaf.get(), "127.0.0.1", 0) == 1);
    CHECK(X509_check_ip_asc(leaf.get(), "::1", 0) == 1);
    CHECK(X509_check_host(leaf.get(), "localhost", 0, 0, nullptr) == 1);
    CHECK(X509_check_host(leaf.get(), "example.com", 0, 0, nullptr) != 1);
    CHECK(X509_check_ip_asc(leaf.get(), "10.0.0.1", 0) != 1);
    CHECK(X509_check_ca(ca.get()) >= 1);
    CHECK(X509_check_ca(leaf.get()) == 0);
}

TEST_CASE("another CA does not vouch for the server certificate") {
    ScratchDir dir("emulator-tls-test");
    const auto one = prepare_tls_dir(dir / "one").value();
    const auto two = prepare_tls_dir(dir / "two").value();
    CHECK_FALSE(verifies(read_cert(one.cert_file).get(), read_cert(two.ca_file).get()));
}

TEST_CASE("a directory that already holds TLS files is refused rather than overwritten") {
    for (const char* name : {"key.pem", "cert.pem", "ca.pem"}) {
        CAPTURE(name);
        ScratchDir dir("emulator-tls-test");
        dir.write(name, "not really PEM");
        const auto files = prepare_tls_dir(dir.path());
        REQUIRE_FALSE(files);
        CHECK(files.error().message.find(std::string("already holds ") + name) !=
              std::string::npos);
        CHECK(read_text(dir / name) == "not really PEM");
    }

    ScratchDir dir("emulator-tls-test");
    const auto first = prepare_tls_dir(dir.path()).value();
    const std::string cert = read_text(first.cert_file);
    CHECK_FALSE(prepare_tls_dir(dir.path()));
    CHECK(read_text(first.cert_file) == cert);
}
