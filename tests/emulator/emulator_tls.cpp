#include "tests/emulator/emulator_tls.hpp"

#include <cstdio>
#include <fcntl.h>
#include <memory>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <system_error>
#include <unistd.h>

namespace hookwarden::emulator {
namespace fs = std::filesystem;

namespace {

template <class T, void (*Free)(T*)> struct Deleter {
    void operator()(T* p) const noexcept { Free(p); }
};
using KeyPtr = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY, EVP_PKEY_free>>;
using CertPtr = std::unique_ptr<X509, Deleter<X509, X509_free>>;
using BignumPtr = std::unique_ptr<BIGNUM, Deleter<BIGNUM, BN_free>>;
using ExtensionPtr = std::unique_ptr<X509_EXTENSION, Deleter<X509_EXTENSION, X509_EXTENSION_free>>;

constexpr long kHour = long{60} * 60;
constexpr long kDay = 24 * kHour;

/// The error for a failed OpenSSL call, with OpenSSL's own reason.
Error openssl_error(const std::string& what) {
    std::string reason;
    while (const unsigned long code = ERR_get_error()) {
        char text[256];
        ERR_error_string_n(code, text, sizeof text);
        reason = text; // the last one is the closest to the call
    }
    return make_error(ErrorKind::internal,
                      "Could not " + what + (reason.empty() ? "" : ": " + reason));
}

Result<KeyPtr> make_key() {
    KeyPtr key(EVP_EC_gen("P-256"));
    if (!key)
        return openssl_error("generate a P-256 key");
    return key;
}

Result<void> add_extension(X509* cert, X509* issuer, int nid, const char* value) {
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
    ExtensionPtr ext(X509V3_EXT_conf_nid(nullptr, &ctx, nid, value));
    if (!ext || X509_add_ext(cert, ext.get(), -1) != 1)
        return openssl_error(std::string("add the certificate extension ") + OBJ_nid2sn(nid));
    return {};
}

/// A certificate for `subject_key`, signed by `issuer_key` (and `issuer`
/// unless self-signed, when `issuer` is null).
Result<CertPtr> make_certificate(const char* common_name, EVP_PKEY* subject_key, X509* issuer,
                                 EVP_PKEY* issuer_key, long days, bool is_ca) {
    CertPtr cert(X509_new());
    BignumPtr serial(BN_new());
    if (!cert || !serial || X509_set_version(cert.get(), X509_VERSION_3) != 1 ||
        BN_rand(serial.get(), 127, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) != 1 ||
        !BN_to_ASN1_INTEGER(serial.get(), X509_get_serialNumber(cert.get())) ||
        !X509_gmtime_adj(X509_getm_notBefore(cert.get()), -kHour) ||
        !X509_gmtime_adj(X509_getm_notAfter(cert.get()), days * kDay) ||
        X509_set_pubkey(cert.get(), subject_key) != 1)
        return openssl_error("fill in a certificate");

    X509_NAME* name = X509_get_subject_name(cert.get());
    if (X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC,
                                   reinterpret_cast<const unsigned char*>("hookwarden emulator"),
                                   -1, -1, 0) != 1 ||
        X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                                   reinterpret_cast<const unsigned char*>(common_name), -1, -1,
                                   0) != 1 ||
        X509_set_issuer_name(cert.get(), issuer ? X509_get_subject_name(issuer) : name) != 1)
        return openssl_error("name a certificate");

    X509* signer = issuer ? issuer : cert.get();
    Result<void> r = add_extension(cert.get(), signer, NID_subject_key_identifier, "hash");
    if (r)
        r = add_extension(cert.get(), signer, NID_authority_key_identifier, "keyid:always");
    if (is_ca) {
        if (r)
            r = add_extension(cert.get(), signer, NID_basic_constraints, "critical,CA:TRUE");
        if (r)
            r = add_extension(cert.get(), signer, NID_key_usage, "critical,keyCertSign,cRLSign");
    } else {
        if (r)
            r = add_extension(cert.get(), signer, NID_basic_constraints, "critical,CA:FALSE");
        if (r)
            r = add_extension(cert.get(), signer, NID_key_usage, "critical,digitalSignature");
        if (r)
            r = add_extension(cert.get(), signer, NID_ext_key_usage, "serverAuth");
        if (r)
            r = add_extension(cert.get(), signer, NID_subject_alt_name,
                              "IP:127.0.0.1,IP:::1,DNS:localhost");
    }
    if (!r)
        return r.error();
    if (X509_sign(cert.get(), issuer_key, EVP_sha256()) == 0)
        return openssl_error("sign a certificate");
    return cert;
}

/// Writes a PEM file created with `mode`; `write` gets the open FILE.
template <class Write>
Result<void> write_pem(const fs::path& path, mode_t mode, const char* what, Write write) {
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
    if (fd < 0)
        return make_error(ErrorKind::io, "Could not create " + path.string() + ": " +
                                             std::generic_category().message(errno));
    std::FILE* file = ::fdopen(fd, "w");
    if (!file) {
        ::close(fd);
        return make_error(ErrorKind::io, "Could not open " + path.string());
    }
    const bool written = write(file) == 1;
    const bool closed = std::fclose(file) == 0;
    if (!written || !closed)
        return openssl_error(std::string("write the ") + what + " to " + path.string());
    return {};
}

Result<void> write_key(const fs::path& path, EVP_PKEY* key) {
    return write_pem(path, 0600, "private key", [key](std::FILE* f) {
        return PEM_write_PrivateKey(f, key, nullptr, nullptr, 0, nullptr, nullptr);
    });
}

Result<void> write_certificate(const fs::path& path, X509* cert) {
    return write_pem(path, 0644, "certificate",
                     [cert](std::FILE* f) { return PEM_write_X509(f, cert); });
}

} // namespace

Result<TlsFiles> prepare_tls_dir(const fs::path& dir) {
    const TlsFiles files{dir / "cert.pem", dir / "key.pem", dir / "ca.pem"};
    std::error_code ec;
    for (const auto& file : {files.ca_file, files.cert_file, files.key_file})
        if (fs::exists(fs::symlink_status(file, ec)))
            return make_error(ErrorKind::invalid_input,
                              dir.string() + " already holds " + file.filename().string() +
                                  "; the emulator makes new TLS material each time and "
                                  "overwrites none: remove it or choose another --tls-dir");

    fs::create_directories(dir, ec);
    if (ec)
        return make_error(ErrorKind::io, "Could not create " + dir.string() + ": " + ec.message());

    auto ca_key = make_key();
    if (!ca_key)
        return ca_key.error();
    auto ca = make_certificate("hookwarden emulator CA", ca_key->get(), nullptr, ca_key->get(),
                               3650, true);
    if (!ca)
        return ca.error();
    auto server_key = make_key();
    if (!server_key)
        return server_key.error();
    auto server =
        make_certificate("localhost", server_key->get(), ca->get(), ca_key->get(), 365, false);
    if (!server)
        return server.error();

    // The CA's key is not written: nothing signs with it again, and a CA key
    // lying about would let anyone who reads it impersonate any host to a
    // client that trusts ca.pem. cert.pem last: a crash part-way leaves no
    // usable-looking pair behind.
    Result<void> written = write_certificate(files.ca_file, ca->get());
    if (written)
        written = write_key(files.key_file, server_key->get());
    if (written)
        written = write_certificate(files.cert_file, server->get());
    if (!written)
        return written.error();
    return files;
}

} // namespace hookwarden::emulator
