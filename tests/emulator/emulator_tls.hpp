// The emulator's TLS material: a throwaway certificate authority and a
// server certificate for 127.0.0.1, ::1 and localhost, made with the
// OpenSSL 3 API (no `openssl` command needed).
//
// Clients trust the emulator by pointing their caFile at `ca.pem`; peer
// verification and host-name checks stay on, exactly as against Genesys.
#pragma once

#include "core/error.hpp"

#include <filesystem>

namespace hookwarden::emulator {

struct TlsFiles {
    std::filesystem::path cert_file; ///< server certificate (PEM)
    std::filesystem::path key_file;  ///< its private key (PEM, mode 0600)
    std::filesystem::path ca_file;   ///< the CA to trust (PEM)
};

/// Creates `dir` if needed and writes `ca.pem`, `cert.pem` and `key.pem`
/// there (key 0600): a new P-256 CA valid for ten years and a server
/// certificate it signs, valid for one year. The CA's private key is never
/// written. Refuses (`invalid_input`) a `dir` that already holds any of the
/// three files rather than overwrite it.
Result<TlsFiles> prepare_tls_dir(const std::filesystem::path& dir);

} // namespace hookwarden::emulator
