#include "daemon/net/tls_client.hpp"

#include <boost/asio/ip/address.hpp>

#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include <dirent.h>

#include <cctype>
#include <cstdlib>
#include <memory>
#include <string_view>

namespace hookwarden {

namespace ssl = boost::asio::ssl;
using error_code = boost::system::error_code;

namespace {

/// A name OpenSSL's hashed-directory lookup opens: 8 hex digits, '.', a digit.
bool is_hash_link(std::string_view name) {
    if (name.size() < 10 || name[8] != '.' || std::isdigit(static_cast<unsigned char>(name[9])) == 0)
        return false;
    for (std::size_t i = 0; i < 8; ++i)
        if (std::isxdigit(static_cast<unsigned char>(name[i])) == 0)
            return false;
    return true;
}

/// True when one of the ':'-separated directories holds a hash link.
bool holds_hash_links(std::string_view dirs) {
    while (!dirs.empty()) {
        const auto colon = dirs.find(':');
        const std::string dir(dirs.substr(0, colon));
        dirs = colon == std::string_view::npos ? std::string_view() : dirs.substr(colon + 1);
        const std::unique_ptr<DIR, int (*)(DIR*)> stream(::opendir(dir.c_str()), ::closedir);
        if (!stream)
            continue;
        while (const dirent* entry = ::readdir(stream.get()))
            if (is_hash_link(entry->d_name))
                return true;
    }
    return false;
}

// The system trust store, as OpenSSL's defaults name it (SSL_CERT_DIR and
// SSL_CERT_FILE override them). Its hashed directory — the `HASH.0` links
// update-ca-certificates keeps in /etc/ssl/certs — is read one certificate at
// a time as handshakes need them, whereas the bundle file is parsed whole up
// front: some 140 certificates, 0.8 MB of a daemon that idles in 16 MB
// (tests/bench/idle.sh). So the directory alone when it has hash links and
// no bundle is named; otherwise both, as OpenSSL does by default.
bool trust_system_store(SSL_CTX* tls) {
    const char* file_env = std::getenv(X509_get_default_cert_file_env());
    const char* dir_env = std::getenv(X509_get_default_cert_dir_env());
    const std::string_view dirs = dir_env ? dir_env : X509_get_default_cert_dir();
    if (file_env == nullptr && holds_hash_links(dirs))
        return SSL_CTX_set_default_verify_dir(tls) == 1;
    return SSL_CTX_set_default_verify_paths(tls) == 1;
}

} // namespace

Result<ssl::context> make_tls_client_context(const std::string& ca_file) {
    ssl::context tls(ssl::context::tls_client);
    if (SSL_CTX_set_min_proto_version(tls.native_handle(), TLS1_2_VERSION) != 1)
        return make_error(ErrorKind::transport, "cannot require TLS 1.2 or later: OpenSSL refused");
    if (!trust_system_store(tls.native_handle()))
        return make_error(ErrorKind::transport, "cannot load the system's trusted certificates: OpenSSL refused");
    error_code ec;
    if (!ca_file.empty()) {
        tls.load_verify_file(ca_file, ec);
        if (ec)
            return make_error(ErrorKind::invalid_input, "cannot load the CA file " + ca_file + ": " + ec.message());
    }
    tls.set_verify_mode(ssl::verify_peer);
    return tls;
}

Result<void> verify_peer_as(SSL* ssl, const std::string& host) {
    error_code not_an_address;
    boost::asio::ip::make_address(host, not_an_address);
    const bool set = !not_an_address
                         ? X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), host.c_str()) == 1
                         : SSL_set_tlsext_host_name(ssl, host.c_str()) == 1 && SSL_set1_host(ssl, host.c_str()) == 1;
    if (!set)
        return make_error(ErrorKind::transport, "cannot set up the certificate check for " + host);
    return {};
}

} // namespace hookwarden
