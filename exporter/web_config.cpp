#include "exporter/web_config.hpp"

#include <crypt.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <strings.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <stdexcept>

namespace nswatch {

namespace {

std::string openssl_error() {
    const unsigned long e = ERR_get_error();
    char buf[256] = "unknown error";
    if (e != 0) ERR_error_string_n(e, buf, sizeof buf);
    ERR_clear_error();
    return buf;
}

std::string sha256(const std::string& s) {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    EVP_Digest(s.data(), s.size(), md, &n, EVP_sha256(), nullptr);
    return std::string(reinterpret_cast<const char*>(md), n);
}

void only_keys(const YAML::Node& map, std::initializer_list<const char*> allowed,
               const std::string& where, const std::string& path) {
    for (const auto& kv : map) {
        const std::string key = kv.first.as<std::string>();
        bool ok = false;
        for (const char* a : allowed) ok |= key == a;
        if (!ok) {
            throw std::runtime_error(path + ":" + std::to_string(kv.first.Mark().line + 1) +
                                     ": unknown key '" + key + "' in " + where);
        }
    }
}

}  // namespace

WebConfig load_web_config(const std::string& path) {
    YAML::Node root;
    try {
        root = YAML::LoadFile(path);
    } catch (const YAML::BadFile&) {
        throw std::runtime_error(path + ": cannot read the web config file");
    } catch (const YAML::Exception& e) {
        throw std::runtime_error(path + ":" + std::to_string(e.mark.line + 1) +
                                 ": YAML syntax error: " + e.msg);
    }
    WebConfig c;
    if (root.IsNull()) return c;
    if (!root.IsMap()) throw std::runtime_error(path + ": the web config must be a YAML map");
    only_keys(root, {"tls_server_config", "basic_auth_users"}, "the web config", path);
    const auto dir = std::filesystem::path(path).parent_path();
    auto file = [&](const YAML::Node& n) {
        std::filesystem::path p(n.as<std::string>());
        return (p.is_relative() ? dir / p : p).string();
    };
    try {
        if (const YAML::Node tls = root["tls_server_config"]; tls && !tls.IsNull()) {
            only_keys(tls, {"cert_file", "key_file", "min_version"}, "tls_server_config", path);
            if (tls["cert_file"]) c.cert_file = file(tls["cert_file"]);
            if (tls["key_file"]) c.key_file = file(tls["key_file"]);
            if (tls["min_version"]) c.min_version = tls["min_version"].as<std::string>();
            if (c.cert_file.empty() != c.key_file.empty()) {
                throw std::runtime_error(path +
                                         ": tls_server_config needs both cert_file and key_file");
            }
            if (c.min_version != "TLS12" && c.min_version != "TLS13") {
                throw std::runtime_error(path + ": tls_server_config.min_version '" +
                                         c.min_version + "': use TLS12 or TLS13");
            }
        }
        if (const YAML::Node users = root["basic_auth_users"]; users && !users.IsNull()) {
            if (!users.IsMap()) {
                throw std::runtime_error(path +
                                         ": basic_auth_users must map user names to bcrypt hashes");
            }
            for (const auto& kv : users) {
                const std::string user = kv.first.as<std::string>();
                const std::string hash = kv.second.as<std::string>();
                if (hash.rfind("$2a$", 0) != 0 && hash.rfind("$2b$", 0) != 0 &&
                    hash.rfind("$2y$", 0) != 0) {
                    throw std::runtime_error(path + ": basic_auth_users." + user +
                                             ": not a bcrypt hash ($2a$, $2b$ or $2y$)");
                }
                c.basic_auth_users[user] = hash;
            }
        }
    } catch (const YAML::Exception& e) {
        throw std::runtime_error(path + ":" + std::to_string(e.mark.line + 1) + ": " + e.msg);
    }
    return c;
}

std::shared_ptr<ssl_ctx_st> make_tls_context(const WebConfig& c) {
    std::shared_ptr<SSL_CTX> ctx(SSL_CTX_new(TLS_server_method()), SSL_CTX_free);
    if (!ctx) throw std::runtime_error("TLS: " + openssl_error());
    SSL_CTX_set_min_proto_version(ctx.get(),
                                  c.min_version == "TLS13" ? TLS1_3_VERSION : TLS1_2_VERSION);
    if (SSL_CTX_use_certificate_chain_file(ctx.get(), c.cert_file.c_str()) != 1) {
        throw std::runtime_error(c.cert_file + ": cannot use the certificate: " + openssl_error());
    }
    if (SSL_CTX_use_PrivateKey_file(ctx.get(), c.key_file.c_str(), SSL_FILETYPE_PEM) != 1) {
        throw std::runtime_error(c.key_file + ": cannot use the private key: " + openssl_error());
    }
    if (SSL_CTX_check_private_key(ctx.get()) != 1) {
        throw std::runtime_error(c.key_file + ": the key does not belong to " + c.cert_file);
    }
    // Partial writes: the event loop writes what the socket takes and comes back for the rest.
    SSL_CTX_set_mode(ctx.get(),
                     SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
    return ctx;
}

bool BasicAuth::allows(const std::string& authorization) const {
    constexpr std::string_view scheme = "Basic ";
    if (authorization.size() <= scheme.size() ||
        strncasecmp(authorization.c_str(), scheme.data(), scheme.size()) != 0) {
        return false;
    }
    const std::string b64 = authorization.substr(scheme.size());
    if (b64.size() > 4096) return false;
    std::string decoded(b64.size(), '\0');
    const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(decoded.data()),
                                  reinterpret_cast<const unsigned char*>(b64.data()),
                                  static_cast<int>(b64.size()));
    if (n < 0) return false;
    decoded.resize(static_cast<size_t>(n));
    // EVP_DecodeBlock counts the padding's zero bytes: drop them.
    const size_t pad = b64.size() >= 2 && b64.compare(b64.size() - 2, 2, "==") == 0 ? 2
                       : !b64.empty() && b64.back() == '='                          ? 1
                                                                                    : 0;
    decoded.resize(decoded.size() - std::min(pad, decoded.size()));
    const auto colon = decoded.find(':');
    if (colon == std::string::npos) return false;
    const std::string user = decoded.substr(0, colon), password = decoded.substr(colon + 1);
    const auto it = users_.find(user);
    if (it == users_.end()) return false;
    const std::string digest = sha256(password);
    {
        std::lock_guard lock(mutex_);
        const auto a = accepted_.find(user);
        if (a != accepted_.end() && a->second.size() == digest.size() &&
            CRYPTO_memcmp(a->second.data(), digest.data(), digest.size()) == 0) {
            return true;
        }
    }
    crypt_data data{};
    const char* out = crypt_r(password.c_str(), it->second.c_str(), &data);
    const bool ok = out != nullptr && std::strlen(out) == it->second.size() &&
                    CRYPTO_memcmp(out, it->second.data(), it->second.size()) == 0;
    if (ok) {
        std::lock_guard lock(mutex_);
        accepted_[user] = digest;
    }
    return ok;
}

}  // namespace nswatch
