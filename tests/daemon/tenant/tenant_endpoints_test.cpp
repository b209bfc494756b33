// The tenant's host rules and the one check of its URLs (SPEC §3, §5;
// daemon/tenant/tenant_endpoints.hpp).
#include "daemon/tenant/tenant_endpoints.hpp"

#include "tests/support/doctest_result.hpp"

#include <string>

using namespace hookwarden;

TEST_CASE("a region domain gives https://api.<env> and https://login.<env>/oauth/token") {
    for (const char* env : {"mypurecloud.com", "mypurecloud.ie", "mypurecloud.de", "usw2.pure.cloud"}) {
        INFO(std::string(env));
        const auto urls = tenant_urls_for(env);
        CHECK(urls.api_base == std::string("https://api.") + env);
        CHECK(urls.token_url == std::string("https://login.") + env + "/oauth/token");
        // What the rules derive, the check accepts.
        CHECK(read_tenant_url(urls.api_base, TenantUrl::api_base));
        CHECK(read_tenant_url(urls.token_url, TenantUrl::token_url));
    }
}

TEST_CASE("an environment is a region domain, not a URL or a bare word") {
    CHECK(is_region_domain("mypurecloud.com"));
    CHECK(is_region_domain("usw2.pure.cloud"));
    CHECK(is_region_domain("my-region.example"));
    CHECK_FALSE(is_region_domain(""));
    CHECK_FALSE(is_region_domain("localhost"));
    CHECK_FALSE(is_region_domain("https://api.mypurecloud.com"));
    CHECK_FALSE(is_region_domain(".mypurecloud.com"));
    CHECK_FALSE(is_region_domain("mypurecloud.com."));
    CHECK_FALSE(is_region_domain("mypurecloud.com:443"));
    CHECK_FALSE(is_region_domain(std::string(254, 'a') + ".com"));
}

TEST_CASE("an API base is read into host, port and a path prefix without trailing '/'") {
    const auto plain = read_tenant_url("https://api.mypurecloud.com", TenantUrl::api_base);
    REQUIRE(plain);
    CHECK(plain->host == "api.mypurecloud.com");
    CHECK(plain->port == 443);
    CHECK(plain->path.empty());

    const auto proxied = read_tenant_url("https://proxy.internal:9443/genesys//", TenantUrl::api_base);
    REQUIRE(proxied);
    CHECK(proxied->host == "proxy.internal");
    CHECK(proxied->port == 9443);
    CHECK(proxied->path == "/genesys");

    const auto v4 = read_tenant_url("https://127.0.0.1:8443", TenantUrl::api_base);
    REQUIRE(v4);
    CHECK(v4->host == "127.0.0.1");
    CHECK(v4->port == 8443);

    const auto v6 = read_tenant_url("https://[::1]:8443/", TenantUrl::api_base);
    REQUIRE(v6);
    CHECK(v6->host == "::1");
    CHECK(v6->path.empty());
}

TEST_CASE("a host and port are read as written, where Boost.URL 1.81 alone would not") {
    // Boost.URL alone gives host 10.0.0.1 and a path ".nip.io:8443/api".
    struct Case {
        const char* url;
        TenantUrl which;
        HttpsEndpoint expected;
    };
    for (const auto& c : {
             Case{"https://10.0.0.1.nip.io:8443/api/", TenantUrl::api_base, {"10.0.0.1.nip.io", 8443, "/api"}},
             Case{"https://10.0.0.1.nip.io?realm=a", TenantUrl::token_url, {"10.0.0.1.nip.io", 443, "/?realm=a"}},
             Case{"https://h.example:00443", TenantUrl::api_base, {"h.example", 443, ""}},
         }) {
        INFO(std::string(c.url));
        const auto read = read_tenant_url(c.url, c.which);
        REQUIRE(read);
        CHECK(read->host == c.expected.host);
        CHECK(read->port == c.expected.port);
        CHECK(read->path == c.expected.path);
    }
}

TEST_CASE("a token URL keeps its whole target, query included") {
    const auto token = read_tenant_url("https://login.mypurecloud.com/oauth/token", TenantUrl::token_url);
    REQUIRE(token);
    CHECK(token->host == "login.mypurecloud.com");
    CHECK(token->path == "/oauth/token");

    const auto with_query = read_tenant_url("https://127.0.0.1:8443/token?realm=a", TenantUrl::token_url);
    REQUIRE(with_query);
    CHECK(with_query->path == "/token?realm=a");

    const auto bare = read_tenant_url("https://login.example.com", TenantUrl::token_url);
    REQUIRE(bare);
    CHECK(bare->path == "/");
}

TEST_CASE("a tenant URL that cannot be dialled safely is refused, saying which and why") {
    struct Case {
        const char* url;
        TenantUrl which;
        const char* why;
    };
    for (const auto& c : {
             Case{"api.mypurecloud.com", TenantUrl::api_base, "is not an absolute URL"},
             Case{"http://api.mypurecloud.com", TenantUrl::api_base, "must use https"},
             Case{"http://login.mypurecloud.com/oauth/token", TenantUrl::token_url, "must use https"},
             Case{"https://", TenantUrl::api_base, "has no host"},
             Case{"https:/path", TenantUrl::token_url, "has no host"},
             Case{"https://h.example:0", TenantUrl::api_base, "has an invalid port"},
             Case{"https://h.example:0/oauth/token", TenantUrl::token_url, "has an invalid port"},
             Case{"https://h.example:/x", TenantUrl::token_url, "has an invalid port"},
             Case{"https://h.example:65536", TenantUrl::api_base, "has an invalid port"},
             Case{"https://h.example/api?x=1", TenantUrl::api_base, "must not have a query"},
             Case{"https://h.example/api#top", TenantUrl::api_base, "must not have a fragment"},
             Case{"https://h.example/oauth/token#top", TenantUrl::token_url, "must not have a fragment"},
             // Boost.URL 1.81 reads these as ports 34463 and 84 (boostorg/url#680).
             Case{"https://h.example:99999", TenantUrl::api_base, "has an invalid port"},
             Case{"https://h.example:84a3/oauth/token", TenantUrl::token_url, "has an invalid port"},
             Case{"https://[::1]:99999", TenantUrl::api_base, "has an invalid port"},
             // Decoded, these names are something else than what is written.
             Case{"https://ex%2Fample.com", TenantUrl::api_base, "has a host name hookwarden cannot dial"},
             Case{"https://ex%41mple.com/oauth/token", TenantUrl::token_url, "has a host name hookwarden cannot dial"},
             Case{"https://a!b.example", TenantUrl::api_base, "has a host name hookwarden cannot dial"},
             Case{"https://[v1.x]", TenantUrl::api_base, "has a host hookwarden cannot dial"},
             Case{"https://[::1]x:8443", TenantUrl::api_base, "has a host hookwarden cannot dial"},
         }) {
        INFO(std::string(c.url));
        const auto read = read_tenant_url(c.url, c.which);
        REQUIRE_FALSE(read);
        CHECK(read.error().kind == ErrorKind::invalid_input);
        CHECK(read.error().message.find(c.why) != std::string::npos);
        CHECK(read.error().message.find(config_key(c.which)) != std::string::npos);
        CHECK(read.error().message.find(std::string("'") + c.url + "'") != std::string::npos);
    }
}

TEST_CASE("a tenant URL with credentials is refused without quoting them") {
    const auto read = read_tenant_url("https://user:hunter2@api.mypurecloud.com", TenantUrl::api_base);
    REQUIRE_FALSE(read);
    CHECK(read.error().message.find("must not carry credentials") != std::string::npos);
    CHECK(read.error().message.find("hunter2") == std::string::npos);
}

TEST_CASE("a nextUri path becomes the next target, query kept, in hookwarden's spelling") {
    const HttpsEndpoint api{"api.mypurecloud.com", 443, ""};
    const std::string list = "/api/v2/processautomation/triggers";
    const auto relative = next_page_target("/api/v2/processAutomation/triggers?pageSize=200&after=ab%3D", list, api);
    REQUIRE(relative);
    CHECK(*relative == "/api/v2/processautomation/triggers?pageSize=200&after=ab%3D");
    const auto absolute = next_page_target("https://API.mypurecloud.com:443/api/v2/processautomation/triggers?after=x",
                                           list, api);
    REQUIRE(absolute);
    CHECK(*absolute == "/api/v2/processautomation/triggers?after=x");
    const auto bare = next_page_target("/api/v2/processautomation/triggers", list, api);
    REQUIRE(bare);
    CHECK(*bare == list);
}

TEST_CASE("behind an API base with a path, a nextUri with or without that prefix is the same list") {
    const HttpsEndpoint api{"proxy.example", 8443, "/genesys"};
    const std::string list = "/api/v2/processautomation/triggers/topics";
    for (const char* next : {"/api/v2/processautomation/triggers/topics?after=c", "/genesys/api/v2/processautomation/triggers/topics?after=c",
                             "https://proxy.example:8443/genesys/api/v2/processautomation/triggers/topics?after=c"}) {
        INFO(std::string(next));
        const auto target = next_page_target(next, list, api);
        REQUIRE(target);
        CHECK(*target == list + "?after=c");
    }
    CHECK_FALSE(next_page_target("https://proxy.example:8443/api/v2/processautomation/triggers/topics?after=c", list, api));
}

TEST_CASE("a nextUri off the API host, to another list, or with odd parts is refused and credentials never quoted") {
    const HttpsEndpoint api{"api.mypurecloud.com", 443, ""};
    const std::string list = "/api/v2/processautomation/triggers";
    for (const char* next : {"https://evil.example/api/v2/processautomation/triggers?after=x",
                             "http://api.mypurecloud.com/api/v2/processautomation/triggers?after=x",
                             "https://api.mypurecloud.com:444/api/v2/processautomation/triggers?after=x",
                             "//evil.example/api/v2/processautomation/triggers?after=x",
                             "/api/v2/processautomation/triggers/../../webhooks?after=x",
                             "/api/v2/processautomation/triggers/topics?after=x",
                             "/api/v2/processautomation/triggers?after=x#frag",
                             "api/v2/processautomation/triggers?after=x",
                             "https://user:pw@api.mypurecloud.com/api/v2/processautomation/triggers"}) {
        INFO(std::string(next));
        const auto target = next_page_target(next, list, api);
        REQUIRE_FALSE(target);
        CHECK(target.error().kind == ErrorKind::tenant);
        CHECK(target.error().message.find("pw") == std::string::npos);
    }
}
