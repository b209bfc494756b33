// hookwarden-emulator: a stand-in Genesys Cloud tenant for tests and demos.
// Reads the command line, prepares TLS material, and serves until SIGTERM.
#include "tests/emulator/emulator_delivery_queue.hpp"
#include "tests/emulator/emulator_delivery_sender.hpp"
#include "tests/emulator/emulator_server.hpp"
#include "tests/emulator/emulator_tenant.hpp"
#include "tests/emulator/emulator_tls.hpp"

#include <charconv>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>

namespace {

using namespace hookwarden;
using namespace hookwarden::emulator;

constexpr const char* kUsage = R"(Usage: hookwarden-emulator [OPTIONS]

A stand-in for a Genesys Cloud tenant's webhook API (hookwarden SPEC §5),
served over HTTPS on loopback, with a control plane under /_emulator/.

Options:
  --listen ADDR          address to listen on (default 127.0.0.1)
  --port N               port; 0 picks a free one (default 8443)
  --tls-dir DIR          write a throwaway CA (DIR/ca.pem for clients) and a
                         server certificate for 127.0.0.1, ::1 and localhost
                         (DIR/cert.pem, DIR/key.pem) into DIR, which must not
                         hold them yet. Default: a temporary directory
                         removed at exit
  --client-id ID         OAuth client id (default demo-client)
  --client-secret SECRET OAuth client secret (default demo-secret)
  --token-lifetime SECS  access token lifetime (default 86400)
  --rpm N                requests a minute per client id (default 300);
                         bursts of up to max(1, N/6) are allowed
  --no-ratelimit-headers send no inin-ratelimit-* headers: clients learn
                         the limit from 429s (and Retry-After) alone
  --echo-secrets         return webhook secrets in API answers
  --threads N            worker threads (default 2)
  --delivery-ca FILE     extra PEM trust anchors for webhook endpoints
                         (https:// only), on top of the system store
  --retry-scale F        factor applied to every webhook's retryInterval
                         (default 1; 0.001 turns PT1M into 60 ms)
  --delivery-concurrency N  deliveries in flight at most (default 16)
  --quiet                no per-request or per-delivery log lines on stderr
  --stop-at-stdin-eof    also stop when stdin reaches end of file (test
                         harnesses pass a pipe, so that the emulator never
                         outlives them)
  --help                 this text

POST /_emulator/events fires events: every enabled webhook subscribed to
the type gets a signed delivery at its endpointUrl, retried by its
retryPolicy (2xx is a success; Retry-After is not honoured), and every
attempt counts in the webhook's analytics and health.

Once listening, prints one line "listening on https://ADDR:PORT" on stdout.
SIGTERM or SIGINT stops it with exit status 0 (requests and deliveries in
flight are abandoned).
)";

struct Options {
    Settings settings;
    ServerOptions server;
    DeliveryOptions delivery;
    std::optional<std::filesystem::path> delivery_ca;
    std::optional<std::filesystem::path> tls_dir;
    bool help = false;
};

/// Removes the default TLS directory at exit.
class TemporaryTlsDir {
  public:
    ~TemporaryTlsDir() {
        if (!path_.empty()) {
            std::error_code ec;
            std::filesystem::remove_all(path_, ec);
        }
    }
    Result<std::filesystem::path> create() {
        const char* tmp = std::getenv("TMPDIR");
        std::string pattern =
            std::string(tmp && *tmp ? tmp : "/tmp") + "/hookwarden-emulator.XXXXXX";
        if (!::mkdtemp(pattern.data()))
            return make_error(ErrorKind::io, "Could not create a temporary directory from " +
                                                 pattern + ": " +
                                                 std::generic_category().message(errno));
        path_ = pattern;
        return path_;
    }

  private:
    std::filesystem::path path_;
};

std::optional<long long> parse_integer(std::string_view text, long long min, long long max) {
    long long value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size() || value < min || value > max)
        return std::nullopt;
    return value;
}

std::optional<double> parse_scale(std::string_view text) {
    double value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value,
                                           std::chars_format::fixed);
    if (ec != std::errc() || end != text.data() + text.size() || !(value > 0 && value <= 1000))
        return std::nullopt;
    return value;
}

Result<Options> parse_options(int argc, char** argv) {
    Options o;
    for (int i = 1; i < argc; ++i) {
        std::string_view arg = argv[i];
        std::optional<std::string_view> inline_value;
        if (const auto eq = arg.find('='); arg.starts_with("--") && eq != std::string_view::npos) {
            inline_value = arg.substr(eq + 1);
            arg = arg.substr(0, eq);
        }
        const auto value = [&]() -> Result<std::string_view> {
            if (inline_value)
                return *inline_value;
            if (i + 1 >= argc)
                return make_error(ErrorKind::invalid_input, std::string(arg) + " needs a value");
            return std::string_view(argv[++i]);
        };
        const auto number = [&](long long min, long long max) -> Result<long long> {
            auto text = value();
            if (!text)
                return text.error();
            const auto n = parse_integer(*text, min, max);
            if (!n)
                return make_error(ErrorKind::invalid_input,
                                  std::string(arg) + " needs an integer from " +
                                      std::to_string(min) + " to " + std::to_string(max) +
                                      ", not '" + std::string(*text) + "'");
            return *n;
        };

        if (arg == "--help" || arg == "-h") {
            o.help = true;
        } else if (arg == "--echo-secrets") {
            o.settings.echo_secrets = true;
        } else if (arg == "--no-ratelimit-headers") {
            o.settings.rate_limit_headers = false;
        } else if (arg == "--quiet") {
            o.server.quiet = true;
        } else if (arg == "--stop-at-stdin-eof") {
            o.server.stop_at_stdin_eof = true;
        } else if (arg == "--listen" || arg == "--tls-dir" || arg == "--client-id" ||
                   arg == "--client-secret") {
            auto text = value();
            if (!text)
                return text.error();
            if (arg == "--listen")
                o.server.listen = std::string(*text);
            else if (arg == "--tls-dir")
                o.tls_dir = std::filesystem::path(*text);
            else if (arg == "--client-id")
                o.settings.client_id = std::string(*text);
            else
                o.settings.client_secret = std::string(*text);
        } else if (arg == "--port") {
            auto n = number(0, 65535);
            if (!n)
                return n.error();
            o.server.port = static_cast<std::uint16_t>(*n);
        } else if (arg == "--token-lifetime") {
            auto n = number(1, 10LL * 365 * 86400);
            if (!n)
                return n.error();
            o.settings.token_lifetime = std::chrono::seconds{*n};
        } else if (arg == "--rpm") {
            auto n = number(1, 1'000'000);
            if (!n)
                return n.error();
            o.settings.rpm = static_cast<int>(*n);
        } else if (arg == "--delivery-ca") {
            auto text = value();
            if (!text)
                return text.error();
            o.delivery_ca = std::filesystem::path(*text);
        } else if (arg == "--retry-scale") {
            auto text = value();
            if (!text)
                return text.error();
            const auto scale = parse_scale(*text);
            if (!scale)
                return make_error(ErrorKind::invalid_input,
                                  "--retry-scale needs a decimal number above 0 and at most 1000, "
                                  "not '" + std::string(*text) + "'");
            o.delivery.retry_scale = *scale;
        } else if (arg == "--delivery-concurrency") {
            auto n = number(1, 256);
            if (!n)
                return n.error();
            o.delivery.concurrency = static_cast<int>(*n);
        } else if (arg == "--threads") {
            auto n = number(1, 64);
            if (!n)
                return n.error();
            o.server.threads = static_cast<int>(*n);
        } else {
            return make_error(ErrorKind::invalid_input,
                              "unknown option '" + std::string(argv[i]) + "' (see --help)");
        }
    }
    return o;
}

} // namespace

int main(int argc, char** argv) {
    // A peer that goes away mid-write must cost an error code, not the
    // process. signal(2) fails only for a signal number that does not exist.
    (void)std::signal(SIGPIPE, SIG_IGN);

    auto options = parse_options(argc, argv);
    if (!options) {
        std::cerr << "hookwarden-emulator: " << options.error().message << '\n';
        return 2;
    }
    if (options->help) {
        std::cout << kUsage;
        return 0;
    }

    TemporaryTlsDir temporary;
    if (!options->tls_dir) {
        auto dir = temporary.create();
        if (!dir) {
            std::cerr << "hookwarden-emulator: " << dir.error().message << '\n';
            return 1;
        }
        options->tls_dir = *dir;
    }
    const auto tls = prepare_tls_dir(*options->tls_dir);
    if (!tls) {
        std::cerr << "hookwarden-emulator: " << tls.error().message << '\n';
        return 1;
    }
    if (!options->server.quiet)
        std::cerr << "hookwarden-emulator: clients trust " << tls->ca_file.string() << '\n';

    options->server.cert_file = tls->cert_file;
    options->server.key_file = tls->key_file;
    Tenant tenant(options->settings);
    auto sender = HttpsDeliverySender::create({.ca_file = options->delivery_ca,
                                               .max_connections = options->delivery.concurrency});
    if (!sender) {
        std::cerr << "hookwarden-emulator: " << sender.error().message << '\n';
        return 1;
    }
    if (!options->server.quiet)
        options->delivery.log = [](const std::string& line) {
            // One write(2) per line, so that lines from several threads never interleave.
            const std::string text = "hookwarden-emulator: " + line + '\n';
            (void)std::fwrite(text.data(), 1, text.size(), stderr);
        };
    DeliveryQueue deliveries(
        tenant, [&send = **sender](const DeliveryRequest& r) { return send.send(r); },
        options->delivery);
    const auto served = serve(options->server, tenant, &deliveries);
    // Stop at once: nothing pending is sent, and POSTs in flight are
    // abandoned so that the workers the queue joins return now.
    deliveries.stop();
    (*sender)->cancel();
    if (!served) {
        std::cerr << "hookwarden-emulator: " << served.error().message << '\n';
        return 1;
    }
    return 0;
}
