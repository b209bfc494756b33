#include "daemon/net/tls_client.hpp"

#include <boost/asio/ip/address.hpp>

#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

namespace hookwarden {

namespace ssl = boost::asio::ssl;
using error_code = boost::system::error_code;

Result<ssl::context> make_tls_client_context(const std::string& ca_file) {
    ssl::context tls(ssl::context::tls_client);
    if (SSL_CTX_set_min_proto_version(tls.native_handle(), TLS1_2_VERSION) != 1)
        return make_error(ErrorKind::transport, "cannot require TLS 1.2 or later: OpenSSL refused");
    error_code ec;
    tls.set_default_verify_paths(ec);
    if (ec)
        return make_error(ErrorKind::transport, "cannot load the system's trusted certificates: " + ec.message());
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
