#include "prober/engine.hpp"

#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "prober/engine_impl.hpp"
#include "prober/local_failure.hpp"
#include "prober/response.hpp"

namespace nswatch {

namespace {

// A server that answers another question over TCP and then closes the connection: c-ares drops
// the reply, sees the connection end and reports ARES_ECONNREFUSED ("Could not contact DNS
// servers"). What the socket received says what really happened, not that error. Only replies that
// are the server's fault whoever they were for count here: one with our ID and another question, or
// bytes that do not parse. A reply with another ID may be the good answer to another probe
// pipelined on the same connection before the server closed it.
void explain_connection_failure(const ReplyLog& replies, uint16_t id, ProbeResult& r) {
    const Verdict v = replies.explain(r.query, id, r.sent_mono);
    if (v.outcome != Outcome::question_mismatch && v.outcome != Outcome::malformed) return;
    r.outcome = v.outcome;
    r.detail = v.detail + " (then the connection failed)";
    r.reply_size = v.reply_size;
}

}  // namespace

std::unique_ptr<Pending> ProbeEngine::Impl::new_pending() {
    if (spare_pending.empty()) return std::make_unique<Pending>();
    std::unique_ptr<Pending> p = std::move(spare_pending.back());
    spare_pending.pop_back();
    return p;
}

void ProbeEngine::Impl::recycle(std::unique_ptr<Pending> p) {
    if (destroying || spare_pending.size() >= kSparePendingMax) return;
    *p = Pending{};
    spare_pending.push_back(std::move(p));
}

void ProbeEngine::Impl::submit(ProbeRequest request, ProbeCallback callback) {
    Pending* p = new_pending().release();  // owned by c-ares' query until finish()
    p->impl = this;
    p->callback = std::move(callback);
    p->timeout = request.timeout;
    p->retry_truncated_over_tcp = request.retry_truncated_over_tcp;
    p->ok_extra_sections = request.ok_extra_sections;
    p->digest_reply = request.digest_reply;
    p->known_reply = request.known_reply;
    const std::vector<uint8_t>* wire = nullptr;
    try {
        p->channel = &channel_for(request);
        // c-ares 1.18 sends the ID it is given: draw an unpredictable one (spoofing resistance,
        // RFC 5452), unique among the channel's open queries so c-ares can match replies.
        do {
            p->id = next_id();
        } while (!p->channel->ids_in_use.insert(p->id));
        wire = &queries.bytes(request.query, p->id);
        const std::span<const uint8_t> name = queries.last_name();
        if (name.size() <= p->asked.size()) {
            std::copy(name.begin(), name.end(), p->asked.begin());
            p->asked_size = static_cast<uint16_t>(name.size());
        }
    } catch (const std::exception& e) {
        if (p->channel != nullptr) p->channel->ids_in_use.erase(p->id);
        p->result.target = std::move(request.target);
        p->result.query = std::move(request.query);
        p->result.outcome = dynamic_cast<const LocalFailure*>(&e) != nullptr
                                ? Outcome::local_error
                                : Outcome::network_error;
        p->result.detail = e.what();
        p->result.sent_wall = std::chrono::system_clock::now();
        p->result.sent_mono = Clock::now();
        auto cb = std::move(p->callback);
        ProbeResult r = std::move(p->result);
        recycle(std::unique_ptr<Pending>(p));
        cb(r);
        return;
    }
    p->result.target = std::move(request.target);
    p->result.query = std::move(request.query);
    p->on_kept_connection = p->channel->transport == Transport::tcp && p->channel->stream_open();
    ++outstanding;
    ++on_wire;
    ++p->channel->outstanding;
    p->channel->last_used = Clock::now();
    ++stats.sent;
    p->result.sent_wall = std::chrono::system_clock::now();
    p->result.sent_mono = Clock::now();
    schedule(*p->channel, p->result.sent_mono + p->timeout + std::chrono::milliseconds(1));
    ares_send(p->channel->ares, wire->data(), static_cast<int>(wire->size()),
              engine_detail::on_answer, p);
}

void ProbeEngine::Impl::finish(Pending* p, int status, const unsigned char* abuf, int alen) {
    std::unique_ptr<Pending> owner(p);  // handed to a Ready below, recycled once delivered
    if (destroying) return;
    Channel& ch = *p->channel;
    --ch.outstanding;
    --on_wire;
    ch.ids_in_use.erase(p->id);
    ++stats.completed;
    ProbeResult& r = p->result;
    // RTT from the wire: write to arrival at the socket. The loop's own measurement (submit to
    // here, which includes whatever the loop did for other probes meanwhile) is the fallback when
    // the wire recorded nothing for this query; see prober/wire_timestamps.hpp.
    const bool replied = status == ARES_SUCCESS && abuf != nullptr;
    set_probe_times(r, ch.wire.take(p->id), replied, Clock::now() - r.sent_mono);

    const std::span<const uint8_t> reply(abuf, replied ? static_cast<size_t>(alen) : 0);
    if (replied && p->digest_reply) r.reply_digest = reply_digest(reply);
    if (replied && p->known_reply != 0 && r.reply_digest == p->known_reply) {
        // The caller judged these very bytes before: the header is all it needs again.
        read_reply_header(reply, r);
        r.same_reply = true;
    } else if (replied) {
        ReplyExpectation expect;
        expect.query = &r.query;
        expect.expect_authoritative = !r.query.recursion_desired;
        expect.ok_extra_sections = p->ok_extra_sections;
        expect.asked_wire = std::span<const uint8_t>(p->asked.data(), p->asked_size);
        parse_reply(reply, expect, r);
    } else if (status == ARES_ETIMEOUT) {
        // c-ares drops replies it cannot match; look at what arrived to say why nothing matched.
        const Verdict v = ch.replies.explain_timeout(r.query, p->id, r.sent_mono);
        r.outcome = v.outcome;
        r.detail = v.detail;
        r.reply_size = v.reply_size;
    } else if (status == ARES_EBADRESP) {
        r.outcome = Outcome::malformed;
        r.detail = "c-ares rejected the reply as malformed";
    } else {
        r.outcome = Outcome::network_error;
        r.detail = ares_strerror(status);
        if (ch.open_errno != 0) {
            // The query ended because its socket could not be opened: say why, if it is local.
            if (const auto cause = local_cause(ch.open_errno)) {
                r.outcome = Outcome::local_error;
                r.detail = *cause;
            }
            ch.open_errno = 0;
        }
        explain_connection_failure(ch.replies, p->id, r);
    }

    if (r.outcome == Outcome::network_error && p->on_kept_connection) {
        // The server closed the kept connection (its idle timeout) just as this probe was written
        // to it: that says nothing about the server, so send the probe again on a new connection.
        // The new one is not a kept connection, so this happens at most once per probe.
        Ready& again = ready.emplace_back();
        again.resend = true;
        ProbeRequest& same = again.retry.emplace();
        same.target = std::move(r.target);
        same.query = std::move(r.query);
        same.timeout = p->timeout;
        same.retry_truncated_over_tcp = p->retry_truncated_over_tcp;
        same.ok_extra_sections = p->ok_extra_sections;
        same.digest_reply = p->digest_reply;
        same.known_reply = p->known_reply;
        again.probe = std::move(owner);  // for its callback
        return;
    }

    // The callback runs later, from run_once, after c-ares has returned: a callback that submits
    // then cannot keep ares_process_fd reading and sending for ever. `outstanding` still counts
    // this probe until its callback has run.
    Ready& done = ready.emplace_back();
    if (r.outcome == Outcome::truncated && r.target.transport == Transport::udp &&
        p->retry_truncated_over_tcp) {
        ProbeRequest again;
        again.target = r.target;
        again.target.transport = Transport::tcp;
        again.query = r.query;
        again.timeout = p->timeout;
        again.retry_truncated_over_tcp = p->retry_truncated_over_tcp;
        again.ok_extra_sections = p->ok_extra_sections;
        // The caller keeps the digest of the answer it judged, the TCP one here.
        again.digest_reply = p->digest_reply;
        again.known_reply = p->known_reply;
        done.retry = std::move(again);
    }
    done.probe = std::move(owner);
}

// Run the callbacks of the probes that finished so far (not those that finish meanwhile, so that
// run_once returns), then submit their TC retries. Returns how many were delivered.
size_t ProbeEngine::Impl::deliver() {
    if (ready.empty()) return 0;
    std::vector<Ready> batch;
    batch.swap(ready);
    ready.swap(spare);  // spare is empty: reuse its capacity
    for (Ready& d : batch) {
        --outstanding;
        Pending& p = *d.probe;
        if (d.resend) {
            enqueue(std::move(*d.retry), std::move(p.callback));
        } else {
            p.callback(p.result);
            if (d.retry) {
                enqueue(std::move(*d.retry), [cb = std::move(p.callback)](ProbeResult& tcp) {
                    tcp.retried_from_tc = true;
                    cb(tcp);
                });
            }
        }
        recycle(std::move(d.probe));
    }
    const size_t n = batch.size();
    batch.clear();
    if (batch.capacity() > spare.capacity()) spare.swap(batch);
    // A burst (a round of thousands of probes timing out together) would keep its buffer for ever:
    // beyond kSpareMax it goes, and a later burst grows one again.
    if (spare.capacity() > kSpareMax) std::vector<Ready>().swap(spare);
    return n;
}

ProbeEngine::ProbeEngine(std::vector<Vantage> vantages) : impl_(std::make_unique<Impl>()) {
    keep_receive_timestamping_on();
    if (vantages.empty()) vantages.push_back(Vantage{});
    impl_->vantages = std::move(vantages);
    impl_->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
    if (impl_->epoll_fd < 0) throw std::runtime_error(std::string("epoll: ") + strerror(errno));
    impl_->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (impl_->wake_fd < 0) {
        const int err = errno;
        close(impl_->epoll_fd);
        throw std::runtime_error(std::string("eventfd: ") + strerror(err));
    }
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.fd = impl_->wake_fd;
    epoll_ctl(impl_->epoll_fd, EPOLL_CTL_ADD, impl_->wake_fd, &ev);
}

ProbeEngine::~ProbeEngine() {
    impl_->destroying = true;
    for (auto& [key, ch] : impl_->channels) ares_destroy(ch->ares);
    close(impl_->wake_fd);
    close(impl_->epoll_fd);
}

void ProbeEngine::wake() {
    const uint64_t one = 1;
    // A full counter (never, in practice) still leaves the descriptor readable: nothing is lost.
    [[maybe_unused]] const ssize_t n = write(impl_->wake_fd, &one, sizeof one);
}

// Send now, or hold back while the in-flight limit is reached. A held probe counts as
// outstanding so run_until_idle waits for it.
void ProbeEngine::Impl::enqueue(ProbeRequest request, ProbeCallback callback) {
    if (max_in_flight == 0 || (on_wire < max_in_flight && waiting.empty())) {
        submit(std::move(request), std::move(callback));
        return;
    }
    ++outstanding;
    ++stats.queued;
    waiting.push(std::move(request), std::move(callback));
}

void ProbeEngine::Impl::send_waiting() {
    while (!waiting.empty() && (max_in_flight == 0 || on_wire < max_in_flight)) {
        auto [request, callback] = waiting.pop();
        --outstanding;  // submit counts it again once it is on the wire
        submit(std::move(request), std::move(callback));
    }
}

void ProbeEngine::submit(ProbeRequest request, ProbeCallback callback) {
    impl_->enqueue(std::move(request), std::move(callback));
}

void ProbeEngine::set_idle_channel_limit(std::chrono::milliseconds limit) {
    impl_->idle_channel_limit = limit;
    impl_->next_sweep = Clock::now();
}

void ProbeEngine::set_max_open_channels(size_t n) {
    impl_->max_channels = n;
}

void ProbeEngine::set_max_in_flight(size_t n) {
    impl_->max_in_flight = n;
    impl_->send_waiting();
}

void ProbeEngine::Impl::flush_udp() {
    udp.flush();
    for (const int fd : udp.buffered_sockets()) {
        auto it = socket_owner.find(fd);
        if (it == socket_owner.end()) {
            udp.forget(fd);  // c-ares no longer watches it: nobody is waiting for it
            continue;
        }
        const uint64_t before = udp.handed_over();
        ares_process_fd(it->second->ares, fd, ARES_SOCKET_BAD);
        // c-ares read nothing though it was offered: it would not read these later either (no
        // loop may spin on them).
        if (udp.handed_over() == before) udp.forget(fd);
    }
}

void ProbeEngine::Impl::hand_over_tcp() {
    for (const int fd : tcp.buffered_sockets()) {
        auto it = socket_owner.find(fd);
        if (it == socket_owner.end()) {
            tcp.forget(fd);
            continue;
        }
        // The channel, not the iterator: c-ares may open sockets meanwhile (a rehash of
        // socket_owner). A socket it closes is forgotten here (sock_close), which ends the loop.
        Channel* ch = it->second;
        while (tcp.has_buffered(fd)) {
            const uint64_t before = tcp.handed_over();
            ares_process_fd(ch->ares, fd, ARES_SOCKET_BAD);
            if (tcp.handed_over() == before) {
                tcp.forget(fd);  // declined: it would be declined again (no loop may spin on it)
                break;
            }
        }
    }
}

size_t ProbeEngine::run_once(std::chrono::milliseconds max_wait) {
    auto& im = *impl_;
    im.flush_udp();
    auto now = Clock::now();
    auto wait = max_wait;
    if (!im.ready.empty() || im.udp.any_buffered()) {
        wait = std::chrono::milliseconds(0);  // callbacks or read replies are waiting: only poll
    } else if (!im.wakeups.empty()) {
        const auto until =
            std::chrono::ceil<std::chrono::milliseconds>(im.wakeups.top().first - now);
        wait = std::clamp(until, std::chrono::milliseconds(0), max_wait);
    }
    std::array<epoll_event, 256> events;
    const int n = epoll_wait(im.epoll_fd, events.data(), static_cast<int>(events.size()),
                             static_cast<int>(wait.count()));
    for (int i = 0; i < n; ++i) {
        const ares_socket_t fd = events[i].data.fd;
        if (fd == im.wake_fd) {
            uint64_t count = 0;
            [[maybe_unused]] const ssize_t r = read(fd, &count, sizeof count);
            continue;
        }
        auto it = im.socket_owner.find(fd);
        if (it == im.socket_owner.end()) continue;
        Channel* ch = it->second;
        const bool rd = events[i].events & (EPOLLIN | EPOLLERR | EPOLLHUP);
        const bool wr = events[i].events & EPOLLOUT;
        ares_process_fd(ch->ares, rd ? fd : ARES_SOCKET_BAD, wr ? fd : ARES_SOCKET_BAD);
    }
    im.hand_over_tcp();
    im.flush_udp();
    now = Clock::now();
    while (!im.wakeups.empty() && im.wakeups.top().first <= now) {
        Channel* ch = im.wakeups.top().second;
        im.wakeups.pop();
        if (ch->next_wakeup > now) continue;  // superseded by an earlier or later wake-up
        ch->next_wakeup = Clock::time_point::max();
        ares_process_fd(ch->ares, ARES_SOCKET_BAD, ARES_SOCKET_BAD);
        im.reschedule_from_ares(*ch);
    }
    im.deliver();
    im.send_waiting();
    if (now >= im.next_sweep) im.sweep_idle_channels(now);
    return im.outstanding;
}

void ProbeEngine::run_until_idle() {
    while (impl_->outstanding > 0) run_once(std::chrono::milliseconds(1000));
}

std::vector<ProbeResult> ProbeEngine::run_batch(const std::vector<ProbeRequest>& requests) {
    return submit_all_and_wait(*this, requests);
}

size_t ProbeEngine::outstanding() const {
    return impl_->outstanding;
}
size_t ProbeEngine::waiting() const {
    return impl_->waiting.size();
}
EngineStats ProbeEngine::stats() const {
    return impl_->stats;
}
const std::vector<Vantage>& ProbeEngine::vantages() const {
    return impl_->vantages;
}

}  // namespace nswatch
