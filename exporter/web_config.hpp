// The web configuration file of Prometheus exporters (the exporter-toolkit format), for when the
// web port must leave localhost: TLS and basic auth.
//
//   tls_server_config:
//     cert_file: /etc/nswatch/tls.crt     # PEM certificate (chain)
//     key_file: /etc/nswatch/tls.key      # PEM private key
//     min_version: TLS12                  # TLS12 (default) or TLS13
//   basic_auth_users:
//     prometheus: $2y$10$...              # bcrypt hash (htpasswd -nBC 10 "" | tr -d ':\n')
//
// Relative paths are taken from the file's directory. Unknown keys are errors, as in the main
// config. Read at start-up: a change needs a restart.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>

struct ssl_ctx_st;

namespace nswatch {

struct WebConfig {
    std::string cert_file;              ///< tls_server_config.cert_file; empty: plain HTTP
    std::string key_file;               ///< tls_server_config.key_file
    std::string min_version = "TLS12";  ///< tls_server_config.min_version
    /// basic_auth_users: user -> bcrypt hash; empty: no authentication asked.
    std::map<std::string, std::string> basic_auth_users;

    bool tls() const { return !cert_file.empty(); }
};

/// Throws std::runtime_error "PATH: what was wrong" (unreadable file, unknown key, a user whose
/// hash is not bcrypt, a certificate without its key).
WebConfig load_web_config(const std::string& path);

/// The TLS context for `c` (certificate and key loaded and checked against each other); throws
/// std::runtime_error naming the file and OpenSSL's reason.
std::shared_ptr<ssl_ctx_st> make_tls_context(const WebConfig& c);

/// Checks Authorization headers against basic_auth_users. bcrypt is slow on purpose (tens of
/// milliseconds), so a user's last accepted password is remembered (as a SHA-256 digest) and a
/// scraper sending the same one every 15 s costs one hash, not one bcrypt, per scrape.
class BasicAuth {
  public:
    explicit BasicAuth(std::map<std::string, std::string> users) : users_(std::move(users)) {}
    bool enabled() const { return !users_.empty(); }
    /// True when `authorization` ("Basic base64(user:password)") names a user and its password.
    bool allows(const std::string& authorization) const;

  private:
    std::map<std::string, std::string> users_;
    mutable std::mutex mutex_;
    mutable std::map<std::string, std::string> accepted_;  ///< user -> SHA-256 of its password
};

}  // namespace nswatch
