#include "daemon/service/run_loop.hpp"

#include "core/manifest_cache.hpp"
#include "core/snapshot/status_file.hpp"
#include "daemon/service/cycle_scheduler.hpp"
#include "daemon/service/desired_state_gate.hpp"
#include "daemon/service/log.hpp"
#include "daemon/service/manifest_watcher.hpp"
#include "daemon/service/reconcile_setup.hpp"
#include "daemon/service/service_notify.hpp"
#include "daemon/service/snapshot_writer.hpp"
#include "daemon/service/state_lock.hpp"
#include "daemon/service/status_line.hpp"
#include "daemon/service/thread_pool.hpp"

#include <cassert>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <malloc.h>
#include <memory>
#include <mutex>
#include <poll.h>
#include <random>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <thread>
#include <unistd.h>
#include <utility>

namespace hookwarden {

namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

/// How long SIGTERM waits for the requests in flight (SPEC §6: a few seconds).
constexpr auto drain_timeout = 5s;
/// Quiet time after the last inotify event before manifests are re-read.
constexpr auto debounce_delay = 1s;
/// STATUS= countdowns are refreshed this often.
constexpr auto status_refresh = 5s;
std::string join(const std::vector<std::string>& parts, const char* separator) {
    std::string out;
    for (const auto& part : parts)
        out += (out.empty() ? "" : separator) + part;
    return out;
}

// glibc gives threads that allocate at the same time arenas of their own (up
// to eight per core) and keeps them after the threads end; malloc_trim hands
// back the free pages inside them but not the free space at their top, which
// after a cycle is most of it. The cycle's threads wait on the tenant, not on
// malloc (small requests come from a per-thread cache without a lock), so
// one arena costs little, lets the idle daemon return what a cycle used and
// lowers the peak. Set before the first thread starts.
void use_one_malloc_arena() {
#if defined(__GLIBC__)
    ::mallopt(M_ARENA_MAX, 1);
#endif
}

// A cycle allocates megabytes (the tenant's listing, the plan, JSON, TLS and
// HTTP buffers), and a manifest load as much again. glibc keeps what was
// freed for reuse, so without this the daemon would hold the last cycle's
// peak through the whole interval. Takes a few milliseconds at most.
void release_free_memory() {
#if defined(__GLIBC__)
    ::malloc_trim(0);
#endif
}

DesiredPtr load_desired(const Config& config, Executor& executor, ManifestCache& cache) {
    ManifestSet set = load_config_manifests(config, [](const Diagnostic& d) {
        if (d.severity == Severity::error)
            log_error(d.format());
        else
            log_warning(d.format());
    }, executor, &cache);
    return std::make_shared<const DesiredState>(desired_state(std::move(set)));
}

/// The config file as the daemon reads it, at start and on SIGHUP: every
/// diagnostic logged, --log-level applied over logLevel.
ConfigLoad load_daemon_config(const CommandContext& context) {
    const auto path = context.config_path ? *context.config_path : std::filesystem::path(default_config_path);
    auto load = load_config(path, ConfigEnvironment::process());
    for (const auto& d : load.diagnostics.all())
        log_error(d.format());
    if (context.log_level)
        load.config.log_level = *context.log_level;
    return load;
}

/// One line a person understands for a finished item, with its journal fields.
void log_item(const ItemResult& item, const std::string& cycle_id) {
    const bool trigger = item.kind == ResourceKind::trigger;
    LogFields fields{.message_id = trigger ? message_id::trigger_changed : message_id::webhook_changed,
                     .cycle_id = cycle_id,
                     .kind = to_string(item.kind),
                     .webhook_name = item.name,
                     .webhook_id = item.id,
                     .action = to_string(item.action)};
    std::vector<std::string> changed;
    for (const auto& change : item.changes)
        changed.push_back(change.field);
    const std::string field_list = join(changed, ", ");
    const std::string drift_fields = join(changed, ",");

    // Triggers are said to be one; webhook lines read as they always have.
    const std::string name = trigger ? "trigger \"" + item.name + "\"" : item.name;
    switch (item.outcome) {
    case ItemOutcome::done: {
        std::string line;
        switch (item.action) {
        case PlanAction::create: line = "created " + name; break;
        case PlanAction::update: line = "updated " + name; break;
        case PlanAction::adopt: line = "adopted " + name; break;
        case PlanAction::remove: line = "deleted " + name + " (prune)"; break;
        case PlanAction::replace: line = "replaced " + name + " (a new id: a field fixed after creation changed)"; break;
        default: line = name; break;
        }
        if (item.action != PlanAction::create && item.action != PlanAction::remove &&
            !changed.empty())
            line += " (" + field_list + ")";
        if (item.cause == ChangeCause::drift) {
            line += " [drift]";
            fields.message_id =
                trigger ? message_id::trigger_drift_corrected : message_id::drift_corrected;
            fields.drift_fields = drift_fields;
        }
        if (!item.note.empty())
            line += "; " + item.note;
        log_info(line, fields);
        return;
    }
    case ItemOutcome::failed:
        fields.message_id = trigger ? message_id::trigger_failed : message_id::webhook_failed;
        if (item.error)
            fields.http_status = item.error->context.http_status;
        log_error(std::string("could not ") + to_string(item.action) + " " + name + ": " +
                      (item.error ? item.error->describe() : item.note),
                  fields);
        return;
    case ItemOutcome::refused:
        fields.message_id = trigger ? message_id::trigger_failed : message_id::webhook_failed;
        if (item.action == PlanAction::conflict)
            fields.action = "conflict";
        log_warning((item.action == PlanAction::conflict ? "conflict on " : "cannot apply ") +
                        name + ": " + (item.error ? item.error->message : item.note),
                    fields);
        return;
    case ItemOutcome::deferred:
        log_debug(item.name + ": " + item.note, fields);
        return;
    case ItemOutcome::unchanged:
    case ItemOutcome::retained:
        log_debug(item.name + ": " + to_string(item.outcome), fields);
        return;
    }
}

class Daemon {
public:
    Daemon(CommandContext& context, Config config, Reconciler reconciler, StateLock lock,
           ServiceNotifier& notifier)
        : context_(context), config_(std::move(config)), reconciler_(std::move(reconciler)),
          lock_(std::move(lock)), notify_(notifier), snapshots_(snapshot_settings(config_, "daemon")),
          random_(std::random_device{}()),
          scheduler_(config_.interval, [this] { return random_(); }) {}

    ~Daemon() {
        if (worker_.joinable())
            worker_.join();
        if (done_fd_ >= 0)
            ::close(done_fd_);
    }

    int run(int signal_fd) {
        signal_fd_ = signal_fd;
        done_fd_ = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
        if (done_fd_ < 0)
            return report_fatal(notify_, std::string("cannot create eventfd: ") + std::strerror(errno), errno);

        // Watch first, then read: a change in between is seen by one of them.
        arm_watcher();
        gate_.take(load_desired(config_, pool_, manifest_cache_));
        read_after_arming_ = true;
        notify_.ready("starting: " + std::to_string(desired().webhooks.size()) +
                      " webhooks desired, first cycle now");
        log_info("hookwarden started: " + std::to_string(desired().webhooks.size()) +
                 " webhooks desired from " + config_.manifests.string() + ", every " +
                 format_wait(config_.interval));
        scheduler_.request_cycle(Clock::now());
        next_watchdog_ = Clock::now();

        while (!stopping_) {
            const auto now = Clock::now();
            tick_watchdog(now);
            if (debounce_until_ && now >= *debounce_until_) {
                debounce_until_.reset();
                manifests_changed();
            }
            if (scheduler_.due(now))
                start_cycle();
            if (now >= next_status_refresh_ || state_changed_)
                refresh_status();
            if (memory_to_release_ && !cycle_running()) {
                memory_to_release_ = false;
                release_free_memory();
            }
            wait_for_events();
        }
        return stop();
    }

private:
    const DesiredState& desired() const { return *gate_.in_force(); }
    bool cycle_running() const { return scheduler_.running(); }

    /// Opens the watcher, or re-arms it, and says once when it cannot see
    /// every change (and once when it can again).
    void arm_watcher() {
        if (watcher_) {
            watcher_->rearm();
        } else if (auto opened = ManifestWatcher::open(config_.manifests)) {
            watcher_.emplace(std::move(*opened));
        } else {
            warn_unwatched(opened.error().describe());
            return;
        }
        if (!watcher_->complete()) {
            warn_unwatched(watcher_->problem());
            return;
        }
        if (unwatched_warned_)
            log_info("watching " + config_.manifests.string() + " for changes again");
        unwatched_warned_ = false;
    }

    void warn_unwatched(const std::string& reason) {
        if (unwatched_warned_)
            return;
        unwatched_warned_ = true;
        log_warning(reason + "; until it can be watched, the manifests are re-read before every cycle "
                             "(each interval and on SIGUSR1)");
    }

    bool watching_everything() const { return watcher_ && watcher_->complete(); }

    // Without a complete watcher a change can go unseen for good (a
    // directory that did not exist, the watch limit): look before each
    // cycle instead, and try to watch again.
    void catch_up_unwatched_changes() {
        if (std::exchange(read_after_arming_, false) || watching_everything())
            return;
        arm_watcher();
        DesiredPtr next = load_desired(config_, pool_, manifest_cache_);
        const bool changed = *next != desired();
        if (offer_desired(std::move(next)) && changed)
            log_info("manifests changed: " + std::to_string(desired().webhooks.size()) +
                     " webhooks desired (found before the cycle, unwatched)");
    }

    void wait_for_events() {
        const auto now = Clock::now();
        auto deadline = next_status_refresh_;
        if (!cycle_running())
            deadline = std::min(deadline, scheduler_.next_cycle());
        if (debounce_until_)
            deadline = std::min(deadline, *debounce_until_);
        if (notify_.watchdog_interval())
            deadline = std::min(deadline, next_watchdog_);
        const auto timeout = std::chrono::ceil<std::chrono::milliseconds>(deadline - now).count();

        pollfd fds[3] = {{signal_fd_, POLLIN, 0}, {done_fd_, POLLIN, 0}, {-1, POLLIN, 0}};
        if (watcher_)
            fds[2].fd = watcher_->fd();
        const int n = ::poll(fds, 3, static_cast<int>(std::max<long long>(0, timeout)));
        if (n <= 0)
            return;
        if (fds[1].revents & POLLIN)
            finish_cycle();
        if (fds[2].revents & POLLIN && watcher_ && watcher_->drain())
            debounce_until_ = Clock::now() + debounce_delay;
        if (fds[0].revents & POLLIN)
            read_signals();
    }

    void read_signals() {
        signalfd_siginfo info{};
        while (::read(signal_fd_, &info, sizeof info) == static_cast<ssize_t>(sizeof info)) {
            switch (info.ssi_signo) {
            case SIGTERM:
            case SIGINT:
                log_info(std::string("received SIG") + ::sigabbrev_np(static_cast<int>(info.ssi_signo)) +
                         ", stopping");
                stopping_ = true;
                break;
            case SIGHUP:
                notify_.reloading();
                reload_pending_ = true;
                if (!cycle_running())
                    reload();
                break;
            case SIGUSR1:
                log_info("SIGUSR1: reconciling now");
                scheduler_.request_cycle(Clock::now());
                break;
            default: break;
            }
        }
    }

    // Watchdog pings prove that the loop makes progress: they stop while a
    // cycle overruns cycleTimeout, so that systemd restarts a hung daemon.
    void tick_watchdog(Clock::time_point now) {
        const auto interval = notify_.watchdog_interval();
        const auto running_for = now - scheduler_.cycle_started_at();
        const bool hung = cycle_running() && running_for > config_.cycle_timeout;
        if (hung && !hung_reported_) {
            hung_reported_ = true;
            state_changed_ = true;
            log_error("the reconcile cycle has run for " + format_wait(running_for) +
                      ", longer than cycleTimeout (" + format_wait(config_.cycle_timeout) +
                      "); stopping watchdog pings so that the service is restarted");
        }
        if (!interval || now < next_watchdog_)
            return;
        // While hung the ping is skipped but its deadline still moves on:
        // a deadline left in the past would make every poll return at once.
        if (!hung)
            notify_.watchdog();
        next_watchdog_ = now + *interval / 2;
    }

    void start_cycle() {
        catch_up_unwatched_changes();
        state_changed_ = true;
        hung_reported_ = false;
        scheduler_.cycle_started(Clock::now());
        cycle_rule_ = scheduler_.next_cycle_rule();
        char id[9]; // 8 hex digits of 32 bits and the NUL: it always fits
        (void)std::snprintf(id, sizeof id, "%08llx",
                            static_cast<unsigned long long>(random_() & 0xffffffffu));
        const std::string cycle_id = id;
        // finish_cycle() joined the last worker before the loop could get here;
        // the loop touches neither the snapshot writer nor the tenant client
        // until it joins this one.
        worker_ = std::thread([this, cycle_id, desired = gate_.in_force(), options = plan_options_from(config_),
                               rule = cycle_rule_, &engine = *reconciler_.engine, &tenant = *reconciler_.tenant] {
            CycleReport report;
            report.cycle_id = cycle_id;
            report.started = std::chrono::system_clock::now();
            report.manifest_errors = desired->errors;
            log_info("cycle " + cycle_id + " started: " + std::to_string(desired->webhooks.size()) +
                         " webhooks" +
                         (desired->triggers.empty()
                              ? std::string()
                              : " and " + std::to_string(desired->triggers.size()) + " triggers") +
                         " desired",
                     {.message_id = message_id::cycle_started, .cycle_id = cycle_id});
            auto plan = engine.plan(*desired, options);
            if (!plan) {
                report.error = plan.error();
                log_error("cycle " + cycle_id + " could not read the tenant: " + plan.error().describe(),
                          {.cycle_id = cycle_id, .http_status = plan.error().context.http_status});
            } else {
                report.result = engine.apply(*plan, [&](const ItemResult& item) { log_item(item, cycle_id); });
            }
            report.finished = std::chrono::system_clock::now();
            log_cycle_end(report);
            // status.json carries the next run, so it is foretold here by
            // the rule finish_cycle() will apply (a cycle asked for
            // meanwhile runs at once and writes its own).
            const auto ended = Clock::now();
            const auto next = CycleScheduler::next_cycle_after(
                rule, ended, report.result.has_value(), report.result ? engine.next_retry() : std::nullopt);
            report.next_run = report.finished +
                              std::chrono::duration_cast<std::chrono::system_clock::duration>(next - ended);
            snapshots_.write(report, *desired, plan ? &*plan : nullptr, tenant);
            {
                std::lock_guard lock(done_mutex_);
                done_report_ = std::move(report);
            }
            const std::uint64_t one = 1;
            [[maybe_unused]] auto written = ::write(done_fd_, &one, sizeof one);
        });
    }

    static void log_cycle_end(const CycleReport& report) {
        const LogFields fields{.message_id = message_id::cycle_finished, .cycle_id = report.cycle_id};
        if (!report.result) {
            log_info("cycle " + report.cycle_id + " finished: tenant unreachable", fields);
            return;
        }
        const auto& c = report.result->counts;
        log_info("cycle " + report.cycle_id + " finished: " + report.outcome() + "; " +
                     std::to_string(c.created) + " created, " + std::to_string(c.updated) + " updated, " +
                     std::to_string(c.adopted) + " adopted, " + std::to_string(c.deleted) + " deleted, " +
                     std::to_string(c.unchanged) + " unchanged, " + std::to_string(c.failed) + " failed",
                 fields);
        if (!report.result->prune_blocked_reason.empty())
            log_warning("prune skipped: " + report.result->prune_blocked_reason, fields);
    }

    void finish_cycle() {
        std::uint64_t count = 0;
        [[maybe_unused]] auto got = ::read(done_fd_, &count, sizeof count);
        if (worker_.joinable())
            worker_.join();
        std::optional<CycleReport> report;
        {
            std::lock_guard lock(done_mutex_);
            report.swap(done_report_);
        }
        state_changed_ = true;
        // The worker stores its report before it signals done_fd_.
        assert(report);

        const auto now = Clock::now();
        scheduler_.cycle_finished(now, report->result.has_value(),
                                  report->result ? reconciler_.engine->next_retry() : std::nullopt, cycle_rule_);
        last_cycle_ = summarize(*report);
        // Kept-alive connections would hold a socket, TLS state and buffers
        // each until the next cycle, and are usually stale by then: servers
        // close idle ones, and the client reuses none idle for over 20 s.
        reconciler_.tenant->close_idle_connections();
        memory_to_release_ = true;
        if (reload_pending_ && !stopping_)
            reload();
    }

    /// Logs why a load was refused and keeps the reason for STATUS= (see
    /// DesiredStateGate::refuse).
    void refuse(std::string reason, LoadSource source, const LogFields& fields = {}) {
        log_error(reason + "; keeping the running configuration and desired state", fields);
        gate_.refuse(std::move(reason), source);
    }

    /// The manifests path (inotify, the re-read before a cycle): takes
    /// `next` unless the gate refuses it. True when taken.
    bool offer_desired(DesiredPtr next) {
        state_changed_ = true;
        memory_to_release_ = true;
        if (auto refusal = gate_.offer(std::move(next))) {
            log_error(*refusal + "; keeping the running configuration and desired state");
            return false;
        }
        return true;
    }

    void manifests_changed() {
        if (!offer_desired(load_desired(config_, pool_, manifest_cache_)))
            return;
        log_info("manifests changed: " + std::to_string(desired().webhooks.size()) +
                 " webhooks desired; reconciling");
        scheduler_.request_cycle(Clock::now());
    }

    // SIGHUP: RELOADING=1 was sent; READY=1 follows whatever the outcome,
    // with the status line that says it.
    void reload() {
        reload_pending_ = false;
        state_changed_ = true;
        memory_to_release_ = true;
        notify_.ready(take_new_configuration() ? "reloaded · reconciling" : status(Clock::now()));
    }

    // New config and manifests replace the old ones together, and only when
    // the config is valid, the manifests are acceptable (refusal_of) and the
    // tenant client can be built; otherwise every error is logged and the
    // old ones stay. True when they were replaced.
    bool take_new_configuration() {
        const LogFields fields{.message_id = message_id::daemon_reloaded};
        auto load = load_daemon_config(context_);
        if (!load.ok()) {
            refuse("reload refused: configuration invalid (" +
                       std::to_string(load.diagnostics.error_count()) + " errors)",
                   LoadSource::reload, fields);
            return false;
        }
        Config next = std::move(load.config);
        if (next.state_dir != config_.state_dir) {
            log_warning("reload: stateDir changed to " + next.state_dir.string() +
                        "; restart the service to move the state directory, keeping " +
                        config_.state_dir.string());
            next.state_dir = config_.state_dir;
        }
        DesiredPtr next_desired = load_desired(next, pool_, manifest_cache_);
        if (auto refusal = gate_.refusal_of(*next_desired)) {
            refuse("reload refused: " + *refusal, LoadSource::reload, fields);
            return false;
        }
        auto reconciler = make_reconciler(next);
        if (!reconciler) {
            refuse("reload refused: " + reconciler.error().describe(), LoadSource::reload, fields);
            return false;
        }
        const bool manifests_moved = next.manifests != config_.manifests;
        config_ = std::move(next);
        reconciler_ = std::move(*reconciler);
        gate_.take(std::move(next_desired));
        scheduler_.set_interval(config_.interval);
        snapshots_.set_settings(snapshot_settings(config_, "daemon"));
        set_log_level(config_.log_level);
        if (manifests_moved)
            watcher_.reset();
        if (!watching_everything())
            arm_watcher();
        log_info("reloaded: " + std::to_string(desired().webhooks.size()) + " webhooks desired", fields);
        scheduler_.request_cycle(Clock::now());
        return true;
    }

    // STATUS= is refreshed when something happened and every few seconds for
    // the countdown, not at every wake-up: systemd keeps each one it gets.
    void refresh_status() {
        const auto now = Clock::now();
        state_changed_ = false;
        next_status_refresh_ = now + status_refresh;
        notify_.status(status(now));
    }

    std::string status(Clock::time_point now) const {
        return status_line({.refusal = gate_.refusal(),
                            .cycle_running = cycle_running(),
                            .cycle_started = scheduler_.cycle_started_at(),
                            .cycle_timeout = config_.cycle_timeout,
                            .last_cycle = last_cycle_,
                            .desired_webhooks = desired().webhooks.size(),
                            .desired_triggers = desired().triggers.size(),
                            .manifest_errors = desired().errors,
                            .next_cycle = scheduler_.next_cycle()},
                           now);
    }

    int stop() {
        notify_.stopping("stopping");
        if (cycle_running()) {
            notify_.extend_timeout(std::chrono::duration_cast<std::chrono::microseconds>(drain_timeout * 2));
            reconciler_.tenant->cancel();
            pollfd done{done_fd_, POLLIN, 0};
            const int ready = ::poll(&done, 1, static_cast<int>(std::chrono::milliseconds(drain_timeout).count()));
            if (ready <= 0) {
                // The cycle did not give up in time. Every file it writes is
                // replaced atomically, so ending the process now leaves old or
                // new state, never torn state; waiting longer would not.
                log_warning("the cycle in flight did not stop within " + format_wait(drain_timeout) +
                            "; abandoning it");
                worker_.detach();
                (void)std::fflush(stderr);
                std::_Exit(exit_code::ok);
            }
            finish_cycle();
        }
        // The cycle in flight wrote its snapshots; the last status.json
        // promises a next run that will not come.
        snapshots_.write_final_status();
        log_info("stopped");
        return exit_code::ok;
    }

    CommandContext& context_;
    Config config_;
    Reconciler reconciler_;
    StateLock lock_;
    ServiceNotifier& notify_;
    /// Written by the cycle's thread only; counts for the daemon's life.
    SnapshotWriter snapshots_;
    std::mt19937_64 random_;
    /// Kept for the daemon's life: a reload after an edit parses only the
    /// files that changed. The pool's threads start here, after run_daemon
    /// blocked the signals and chose one malloc arena.
    ThreadPool pool_{std::thread::hardware_concurrency()};
    ManifestCache manifest_cache_;

    DesiredStateGate gate_;
    bool unwatched_warned_ = false;
    bool read_after_arming_ = false; ///< the desired state is as fresh as the watcher
    std::optional<ManifestWatcher> watcher_;
    int signal_fd_ = -1;
    int done_fd_ = -1;

    CycleScheduler scheduler_;
    std::thread worker_;
    CycleScheduler::NextCycleRule cycle_rule_; ///< of the running or last cycle
    bool hung_reported_ = false;
    std::mutex done_mutex_;
    std::optional<CycleReport> done_report_;
    std::optional<CycleSummary> last_cycle_;

    Clock::time_point next_watchdog_;
    std::optional<Clock::time_point> debounce_until_;
    Clock::time_point next_status_refresh_;
    bool state_changed_ = true;
    bool reload_pending_ = false;
    bool stopping_ = false;
    bool memory_to_release_ = false;
};

} // namespace

int run_daemon(CommandContext& context) {
    // Signals are taken by a signalfd; they must be blocked before the first
    // thread (the tenant client's I/O thread) exists, so that every thread
    // inherits the mask and none of them is picked to run a default action.
    sigset_t signals;
    sigemptyset(&signals);
    for (int s : {SIGTERM, SIGINT, SIGHUP, SIGUSR1})
        sigaddset(&signals, s);
    ::pthread_sigmask(SIG_BLOCK, &signals, nullptr);
    (void)::signal(SIGPIPE, SIG_IGN); // fails only for a signal number that does not exist
    use_one_malloc_arena();
    const int signal_fd = ::signalfd(-1, &signals, SFD_CLOEXEC | SFD_NONBLOCK);

    ServiceNotifier notify;
    if (signal_fd < 0)
        return report_fatal(notify, std::string("cannot create signalfd: ") + std::strerror(errno), errno);

    auto load = load_daemon_config(context);
    if (!load.ok())
        return report_fatal(notify, "configuration invalid (" + std::to_string(load.diagnostics.error_count()) +
                                 " errors); not starting",
                     EINVAL);
    Config config = std::move(load.config);
    set_log_level(config.log_level);

    auto reconciler = make_reconciler(config);
    if (!reconciler)
        return report_fatal(notify, reconciler.error().describe(), EINVAL);

    auto lock = StateLock::acquire(config.state_dir);
    if (!lock)
        return report_fatal(notify, lock.error().describe(),
                     lock.error().kind == ErrorKind::conflict ? EBUSY : EIO);

    Daemon daemon(context, std::move(config), std::move(*reconciler), std::move(*lock), notify);
    const int code = daemon.run(signal_fd);
    ::close(signal_fd);
    return code;
}

} // namespace hookwarden
