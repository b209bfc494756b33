#include "daemon/receiver/receiver_service.hpp"

#include "core/secret_rotation.hpp"
#include "core/secret_store.hpp"
#include "core/state_store.hpp"
#include "daemon/net/http_listener.hpp"
#include "daemon/receiver/delivery_intake.hpp"
#include "daemon/receiver/delivery_spool.hpp"
#include "daemon/receiver/route_secrets.hpp"
#include "daemon/service/log.hpp"
#include "daemon/service/reconcile_setup.hpp"
#include "daemon/service/service_notify.hpp"

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <poll.h>
#include <sstream>
#include <sys/signalfd.h>
#include <systemd/sd-daemon.h>
#include <unistd.h>

namespace hookwarden {

namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

/// How long SIGTERM waits for deliveries in flight (SPEC §6: "a few seconds").
constexpr auto drain_time = 5s;
/// A commit waiting longer than this means the disk hangs: the watchdog pings stop.
constexpr auto spool_stall_limit = 30s;
/// Refusal lines logged a second at most; a sender looping on a bad
/// signature must not flood the journal.
constexpr int refusal_lines_per_second = 20;

/// The answers given, for STATUS= and the last log line.
class AnswerCounts {
  public:
    void count(int status, bool duplicate) {
        if (status >= 200 && status < 300) {
            (duplicate ? duplicates_ : accepted_)++;
            return;
        }
        std::lock_guard guard(mutex_);
        ++refused_[status];
    }

    /// `accepted 1200 · duplicates 3 · refused 5 (401×4, 503×1)`
    std::string summary() const {
        std::ostringstream text;
        text << "accepted " << accepted_.load() << " · duplicates " << duplicates_.load();
        std::lock_guard guard(mutex_);
        std::uint64_t refused = 0;
        std::string detail;
        for (const auto& [status, n] : refused_) {
            refused += n;
            detail += (detail.empty() ? "" : ", ") + std::to_string(status) + "×" + std::to_string(n);
        }
        text << " · refused " << refused;
        if (refused)
            text << " (" << detail << ")";
        return text.str();
    }

  private:
    std::atomic<std::uint64_t> accepted_{0}, duplicates_{0};
    mutable std::mutex mutex_;
    std::map<int, std::uint64_t> refused_;
};

/// Logs answers: refusals at info (401 at warning: someone without the
/// secret is knocking), at most `refusal_lines_per_second`; acceptances at debug.
class AnswerLog {
  public:
    void record(const IntakeAnswer& answer) {
        LogFields fields{.webhook_name = answer.webhook, .http_status = answer.status,
                         .delivery_id = answer.delivery_id};
        if (answer.status >= 200 && answer.status < 300) {
            log_debug(describe(answer), fields);
            return;
        }
        {
            std::lock_guard guard(mutex_);
            const auto now = Clock::now();
            if (now - window_start_ >= 1s) {
                if (suppressed_ > 0)
                    log_info(std::to_string(suppressed_) + " more refusals were not logged in the last second");
                window_start_ = now;
                lines_ = 0;
                suppressed_ = 0;
            }
            if (++lines_ > refusal_lines_per_second) {
                ++suppressed_;
                return;
            }
        }
        if (answer.status == 401)
            log_warning(describe(answer), fields);
        else if (answer.status >= 500)
            log_error(describe(answer), fields);
        else
            log_info(describe(answer), fields);
    }

  private:
    static std::string describe(const IntakeAnswer& answer) {
        std::string text = "delivery";
        if (!answer.delivery_id.empty())
            text += " " + answer.delivery_id;
        if (!answer.webhook.empty())
            text += " for " + answer.webhook;
        text += ": " + std::to_string(answer.status);
        if (!answer.message.empty())
            text += " " + answer.message;
        return text;
    }

    std::mutex mutex_;
    Clock::time_point window_start_{};
    int lines_ = 0;
    std::uint64_t suppressed_ = 0;
};

ListenerAnswer to_listener(const IntakeAnswer& answer) {
    ListenerAnswer out;
    out.status = answer.status;
    out.body = answer.body;
    if (answer.retry_after > 0)
        out.headers.emplace_back("Retry-After", std::to_string(answer.retry_after));
    if (answer.status == 405)
        out.headers.emplace_back("Allow", "POST");
    return out;
}

/// The receiver's view of stateDir: the current and previous secrets of a
/// webhook and the rotations state.json records. Read-only: generating a
/// secret is apply's job.
SecretReaders state_dir_readers(const Config& config) {
    auto store = std::make_shared<SecretStore>(config.state_dir, SecretEnvironment::process(), SecretRandom{});
    auto state = std::make_shared<StateStore>(config.state_dir);
    SecretReaders readers;
    readers.current = [store](const std::string& name, const SecretSource& source) {
        return store->current(name, source);
    };
    readers.previous = [store](const std::string& name) { return store->previous(name); };
    readers.version = [store](const std::string& name, const SecretSource& source) {
        return store->version(name, source);
    };
    readers.rotations = [state]() -> Result<std::map<std::string, SecretRotation>> {
        auto loaded = state->load();
        if (!loaded)
            return loaded.error();
        std::map<std::string, SecretRotation> rotations;
        for (const auto& [name, owned] : loaded->owned)
            if (owned.rotation)
                rotations[name] = *owned.rotation;
        return rotations;
    };
    return readers;
}

/// Why the route at `path` cannot be served: no valid manifest defines its webhook.
Error unknown_route_webhook(const Config& config, const std::string& path, const std::string& name) {
    return make_error(ErrorKind::invalid_input,
                      config.source.string() + ": receiver.routes: " + path + " names webhook " + name +
                          ", which no valid manifest in " + config.manifests.string() +
                          " defines; its secret is what verifies the route");
}

/// Every route with its webhook's secret source, or why one cannot be served.
Result<DeliveryIntake::Routes> make_routes(const Config& config, std::ostream& err,
                                           std::chrono::seconds& longest_grace) {
    if (config.receiver.routes.empty())
        return make_error(ErrorKind::invalid_input,
                          config.source.string() + ": receiver.routes is empty: there is nothing to receive");
    ManifestSet manifests = load_config_manifests(config, err);
    const auto tolerance = std::chrono::duration_cast<std::chrono::seconds>(config.receiver.tolerance);
    const SecretReaders readers = state_dir_readers(config);
    DeliveryIntake::Routes routes;
    longest_grace = tolerance;
    for (const auto& [path, name] : config.receiver.routes) {
        const auto webhook = std::ranges::find(manifests.webhooks, name, &WebhookManifest::name);
        if (webhook == manifests.webhooks.end())
            return unknown_route_webhook(config, path, name);
        const auto grace = rotation_grace(webhook->retry_policy, tolerance);
        longest_grace = std::max(longest_grace, grace);
        routes.emplace(path, std::make_unique<RouteSecrets>(
                                 RouteDefinition{path, name, webhook->secret_ref, grace}, readers));
    }
    return routes;
}

/// Reads every route's secrets now; logs the ones that cannot be read.
void refresh_all(const DeliveryIntake::Routes& routes) {
    const auto now = std::chrono::system_clock::now();
    for (const auto& [path, route] : routes) {
        route->refresh(now, Clock::now(), true);
        const Candidates candidates = route->candidates(now);
        if (!candidates.problem().empty())
            log_warning("route " + path + ": the secret of webhook " + route->definition().webhook +
                            " cannot be read (" + candidates.problem() +
                            "); its deliveries are answered 503 until it can",
                        LogFields{.webhook_name = route->definition().webhook});
    }
}

/// The listening socket systemd passed (hookwarden-receiver.socket), if any.
std::optional<int> activated_socket() {
    const int n = sd_listen_fds(1);
    if (n <= 0)
        return std::nullopt;
    // More than one is a unit mistake; the first is taken, the rest closed by exec's end.
    return SD_LISTEN_FDS_START;
}

class Receiver {
  public:
    Receiver(Config config, DeliveryIntake::Routes routes, std::unique_ptr<DeliverySpool> spool,
             ServiceNotifier& notify)
        : config_(std::move(config)), routes_(std::move(routes)), spool_(std::move(spool)), notify_(notify),
          intake_(routes_, *spool_,
                  IntakeOptions{std::chrono::duration_cast<std::chrono::seconds>(config_.receiver.tolerance)}) {}

    Result<void> listen() {
        ListenerLimits limits;
        limits.max_body = config_.receiver.max_body;
        std::optional<ListenerTls> tls;
        if (!config_.receiver.tls_cert.empty())
            tls = ListenerTls{config_.receiver.tls_cert, config_.receiver.tls_key};
        auto early = [this](const ListenerRequest& request) -> std::optional<ListenerAnswer> {
            auto refused = intake_.check_head(request.method, request.target);
            if (!refused)
                return std::nullopt;
            answered(*refused);
            return to_listener(*refused);
        };
        auto handler = [this](const ListenerRequest& request, AnswerSink sink) {
            IncomingDelivery delivery{request.target,
                                      DeliveryHeaders{request.header("X-Hub-Signature-256"),
                                                      request.header("webhook-id"),
                                                      request.header("webhook-timestamp"),
                                                      request.header("webhook-signature")},
                                      request.body};
            intake_.accept(delivery, [this, sink = std::move(sink)](const IntakeAnswer& answer) {
                answered(answer);
                sink(to_listener(answer));
            });
        };
        // Asked once: sd_listen_fds unsets LISTEN_FDS, so that children do not inherit it.
        const std::optional<int> activated = activated_socket();
        Result<std::unique_ptr<HttpListener>> made =
            activated ? HttpListener::adopt(*activated, tls, limits, early, handler)
                      : HttpListener::bind(config_.receiver.listen, tls, limits, early, handler);
        if (!made)
            return made.error();
        listener_ = std::move(*made);
        listener_->start();
        return {};
    }

    int run(int signal_fd) {
        const std::string where = listener_->address();
        log_info("receiving deliveries on " + where + std::string(config_.receiver.tls_cert.empty() ? "" : " (TLS)") +
                 " for " + std::to_string(routes_.size()) + " route(s); spool " + config_.receiver.spool.string());
        notify_.ready(status_text());

        const auto watchdog = notify_.watchdog_interval();
        for (;;) {
            pollfd fd{signal_fd, POLLIN, 0};
            int wait_ms = 1000;
            if (watchdog)
                wait_ms = std::min<int>(wait_ms, static_cast<int>(watchdog->count() / 2000));
            const int ready = ::poll(&fd, 1, std::max(wait_ms, 1));
            if (ready < 0 && errno != EINTR)
                return report_fatal(notify_, std::string("poll failed: ") + std::strerror(errno), errno);
            if (ready > 0 && handle_signals(signal_fd))
                break;
            if (watchdog && spool_->stalled_for() < spool_stall_limit)
                notify_.watchdog();
            notify_.status(status_text());
        }

        notify_.stopping("stopping: answering deliveries in flight");
        const std::size_t abandoned = listener_->drain(Clock::now() + drain_time);
        spool_->stop();
        listener_.reset();
        std::string last = "stopped; " + counts_.summary();
        if (abandoned)
            last += "; " + std::to_string(abandoned) + " request(s) in flight were abandoned unanswered";
        log_info(last);
        return EXIT_SUCCESS;
    }

  private:
    /// True when the receiver is to stop.
    bool handle_signals(int signal_fd) {
        signalfd_siginfo info{};
        bool stop = false;
        while (::read(signal_fd, &info, sizeof info) == static_cast<ssize_t>(sizeof info)) {
            if (info.ssi_signo == SIGTERM || info.ssi_signo == SIGINT)
                stop = true;
            else if (info.ssi_signo == SIGHUP) {
                notify_.reloading();
                refresh_all(routes_);
                log_info("secrets re-read", LogFields{.message_id = message_id::daemon_reloaded});
                notify_.ready(status_text());
            }
        }
        return stop;
    }

    void answered(const IntakeAnswer& answer) {
        counts_.count(answer.status, answer.duplicate);
        log_.record(answer);
    }

    std::string status_text() const {
        std::string text = "listening on " + listener_->address() + " · " + counts_.summary();
        const SpoolCounters spool = spool_->counters();
        if (!spool.last_error.empty())
            text += " · spool failing: " + spool.last_error;
        const ListenerCounters listener = listener_->counters();
        if (listener.refused_requests)
            text += " · " + std::to_string(listener.refused_requests) + " malformed or too large";
        if (listener.connections_refused)
            text += " · " + std::to_string(listener.connections_refused) + " connection(s) over the cap";
        return text;
    }

    Config config_;
    DeliveryIntake::Routes routes_;
    std::unique_ptr<DeliverySpool> spool_;
    ServiceNotifier& notify_;
    DeliveryIntake intake_;
    std::unique_ptr<HttpListener> listener_;
    AnswerCounts counts_;
    AnswerLog log_;
};

} // namespace

int run_receiver(const ConfigLoader& load_config) {
    // As in `run`: signals go to a signalfd, blocked before any thread exists.
    sigset_t signals;
    sigemptyset(&signals);
    for (int s : {SIGTERM, SIGINT, SIGHUP})
        sigaddset(&signals, s);
    ::pthread_sigmask(SIG_BLOCK, &signals, nullptr);
    // signal(2) fails only for a signal number that does not exist.
    (void)::signal(SIGPIPE, SIG_IGN);
    // A spool write over a file-size limit must fail with EFBIG (answered
    // 503, retried by the sender), not kill the receiver.
    (void)::signal(SIGXFSZ, SIG_IGN);
    const int signal_fd = ::signalfd(-1, &signals, SFD_CLOEXEC | SFD_NONBLOCK);

    ServiceNotifier notify;
    if (signal_fd < 0)
        return report_fatal(notify, std::string("cannot create signalfd: ") + std::strerror(errno), errno);

    auto config = load_config();
    if (!config)
        return report_fatal(notify, "configuration invalid; not starting", EINVAL);

    std::ostringstream manifest_problems;
    std::chrono::seconds longest_grace{};
    auto routes = make_routes(*config, manifest_problems, longest_grace);
    {
        std::istringstream lines(manifest_problems.str());
        for (std::string line; std::getline(lines, line);)
            log_warning(line);
    }
    if (!routes)
        return report_fatal(notify, routes.error().describe(), EINVAL);
    refresh_all(*routes);

    // An id must be remembered for as long as the tenant may still send it
    // again: its retry horizon (at least the tolerance), plus the tolerance
    // a late retry's timestamp may carry.
    SpoolOptions spool_options;
    spool_options.dir = config->receiver.spool;
    spool_options.remember =
        longest_grace + std::chrono::duration_cast<std::chrono::seconds>(config->receiver.tolerance);
    auto spool = DeliverySpool::open(spool_options);
    if (!spool)
        return report_fatal(notify, spool.error().describe(), spool.error().kind == ErrorKind::conflict ? EBUSY : EIO);

    Receiver receiver(std::move(*config), std::move(*routes), std::move(*spool), notify);
    if (auto listening = receiver.listen(); !listening)
        return report_fatal(notify, listening.error().describe(), EADDRINUSE);
    const int code = receiver.run(signal_fd);
    ::close(signal_fd);
    return code;
}

} // namespace hookwarden
