// Stand-ins for the tenant client's unit tests: a clock whose waits return
// at once (advancing the time) unless a test holds them, and a transport
// that answers from a script and records what was sent, and when.
#pragma once

#include "daemon/net/https_client.hpp"
#include "daemon/tenant/retry_policy.hpp"

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

namespace hookwarden::testing {

class FakeClock final : public RetryClock {
public:
    std::chrono::steady_clock::time_point now() const override {
        std::lock_guard lock(mutex_);
        return now_;
    }
    std::chrono::system_clock::time_point wall_now() const override {
        std::lock_guard lock(mutex_);
        return wall_origin_ + (now_ - steady_origin_);
    }
    bool wait_until(std::chrono::steady_clock::time_point deadline) override {
        std::unique_lock lock(mutex_);
        ++waiting_;
        changed_.wait(lock, [this] { return !held_ || cancelled_; });
        --waiting_;
        if (cancelled_)
            return false;
        if (deadline > now_)
            now_ = deadline;
        return true;
    }
    void cancel() override {
        {
            std::lock_guard lock(mutex_);
            cancelled_ = true;
        }
        changed_.notify_all();
    }
    bool cancelled() const override {
        std::lock_guard lock(mutex_);
        return cancelled_;
    }
    void advance(std::chrono::steady_clock::duration by) {
        std::lock_guard lock(mutex_);
        now_ += by;
    }
    /// From now on waits block, and time stands still, until release_waits():
    /// for tests that need a wait to be in progress while they act.
    void hold_waits() {
        std::lock_guard lock(mutex_);
        held_ = true;
    }
    /// Lets every held wait (and every later one) end at its deadline.
    void release_waits() {
        {
            std::lock_guard lock(mutex_);
            held_ = false;
        }
        changed_.notify_all();
    }
    /// Threads inside wait_until right now.
    int waiting() const {
        std::lock_guard lock(mutex_);
        return waiting_;
    }
    /// Time since the clock was made.
    std::chrono::milliseconds elapsed() const {
        std::lock_guard lock(mutex_);
        return std::chrono::duration_cast<std::chrono::milliseconds>(now_ - steady_origin_);
    }

private:
    mutable std::mutex mutex_;
    std::condition_variable changed_;
    bool held_ = false;
    int waiting_ = 0;
    std::chrono::steady_clock::time_point steady_origin_{std::chrono::hours(1000)};
    std::chrono::steady_clock::time_point now_{steady_origin_};
    std::chrono::system_clock::time_point wall_origin_{std::chrono::sys_days{std::chrono::year{2026} / 3 / 1}};
    bool cancelled_ = false;
};

struct SentRequest {
    HttpRequest request;
    std::chrono::milliseconds at; ///< FakeClock::elapsed() when sent
};

class ScriptedTransport final : public HttpsTransport {
public:
    using Script = std::function<TransportResult(const HttpRequest&)>;

    ScriptedTransport(FakeClock& clock, Script script) : clock_(clock), script_(std::move(script)) {}

    TransportResult exchange(const HttpRequest& request) override {
        {
            std::lock_guard lock(mutex_);
            sent_.push_back({request, clock_.elapsed()});
        }
        return script_(request);
    }
    void cancel() override {}

    std::vector<SentRequest> sent() const {
        std::lock_guard lock(mutex_);
        return sent_;
    }
    /// Requests sent to targets starting with `prefix`.
    std::vector<SentRequest> sent_to(const std::string& prefix) const {
        std::vector<SentRequest> out;
        for (auto& s : sent())
            if (s.request.target.rfind(prefix, 0) == 0)
                out.push_back(s);
        return out;
    }

private:
    FakeClock& clock_;
    Script script_;
    mutable std::mutex mutex_;
    std::vector<SentRequest> sent_;
};

inline HttpAnswer answer(int status, std::string body = "{}", HttpHeaders headers = {}) {
    return HttpAnswer{status, std::move(headers), std::move(body)};
}

inline HttpAnswer token_answer(const std::string& token = "token-1", int expires_in = 86400) {
    return answer(200, R"({"access_token":")" + token + R"(","token_type":"bearer","expires_in":)" +
                           std::to_string(expires_in) + "}");
}

inline bool is_token_request(const HttpRequest& r) { return r.target == "/oauth/token"; }

} // namespace hookwarden::testing
