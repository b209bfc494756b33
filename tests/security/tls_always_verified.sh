#!/usr/bin/env bash
# TLS verification cannot be turned off: a check of the sources, beside the
# tests that the real client refuses an untrusted certificate and one for
# another name (tests/daemon/tenant/tenant_http_emulator_test.cpp,
# tests/daemon/net/https_client_resolve_test.cpp) and that no config key
# or option turns it off (config_test.cpp, the cli golden cases).
#
#   tls_always_verified.sh SOURCE_DIR
#
# 1. Peer verification is set in one place only, daemon/net/tls_client.cpp,
#    to verify_peer, with the host name checked (SSL_set1_host); nothing in
#    core/ or daemon/ sets another mode, a verify callback, or verify flags.
# 2. The product reads only the environment variables listed below, none of
#    which can turn verification off. OpenSSL's own SSL_CERT_FILE and
#    SSL_CERT_DIR (read in tls_client.cpp, as X509_get_default_cert_*_env)
#    choose the system trust store: they can add trust anchors, never skip
#    the check. A `secretRef: {env: NAME}` reads the variable its manifest
#    names (core/secret_source.cpp), as a secret value only.
# A new getenv, a new verify call or a changed one fails this test until
# this list is reviewed with it.
set -euo pipefail
src=$1
cd "$src"
failed=0
fail() { echo "error: $*"; failed=1; }

mapfile -t verify_calls < <(grep -rnE 'verify_none|SSL_VERIFY_NONE|set_verify_mode|set_verify_callback|SSL_CTX_set_verify|SSL_set_verify|X509_V_FLAG_|X509_STORE_set_flags|X509_VERIFY_PARAM_set_flags|verify_result' core daemon || true)
for call in "${verify_calls[@]}"; do
  case "$call" in
    "daemon/net/tls_client.cpp:"*"tls.set_verify_mode(ssl::verify_peer);") ;;
    "daemon/net/https_client.cpp:"*"SSL_get_verify_result("*) ;; # reads the verdict for the message
    *) fail "a TLS verification setting outside the one allowed: $call" ;;
  esac
done
grep -q 'tls.set_verify_mode(ssl::verify_peer);' daemon/net/tls_client.cpp ||
  fail "daemon/net/tls_client.cpp no longer sets verify_peer"
grep -q 'SSL_set1_host(ssl, host.c_str())' daemon/net/tls_client.cpp ||
  fail "daemon/net/tls_client.cpp no longer checks the certificate's host name (SSL_set1_host)"
grep -q 'X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), host.c_str())' daemon/net/tls_client.cpp ||
  fail "daemon/net/tls_client.cpp no longer checks the certificate's IP address"
grep -q 'verify_peer_as(connection_->stream.native_handle(), host_)' daemon/net/https_client.cpp ||
  fail "daemon/net/https_client.cpp no longer checks the peer's name on every connection (verify_peer_as)"

allowed_env='CREDENTIALS_DIRECTORY HOOKWARDEN_CONFIG JOURNAL_STREAM NOTIFY_SOCKET NO_COLOR STATE_DIRECTORY'
mapfile -t named < <(grep -rhoE '(secure_)?getenv\("[A-Za-z0-9_]+"\)' core daemon | sed -E 's/.*\("([^"]+)"\)/\1/' | sort -u)
for name in "${named[@]}"; do
  [[ " $allowed_env " == *" $name "* ]] || fail "the product reads \$$name: review it here (can it weaken TLS?)"
done
mapfile -t computed < <(grep -rnE '(secure_)?getenv\(' core daemon | grep -vE 'getenv\("[A-Za-z0-9_]+"\)' || true)
for call in "${computed[@]}"; do
  case "$call" in
    "daemon/net/tls_client.cpp:"*"getenv(X509_get_default_cert_file_env())"*) ;;
    "daemon/net/tls_client.cpp:"*"getenv(X509_get_default_cert_dir_env())"*) ;;
    "core/secret_source.cpp:"*"std::getenv(name.c_str())"*) ;;
    "core/secret_source.cpp:"*"env.getenv ? env.getenv(source.reference)"*) ;;
    *) fail "an environment variable read by a computed name: $call" ;;
  esac
done

[ "$failed" = 0 ] && echo "TLS verification: set once, to verify_peer with the host name; environment: $allowed_env, SSL_CERT_FILE, SSL_CERT_DIR and secretRef env"
exit "$failed"
