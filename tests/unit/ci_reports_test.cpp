// Reports CI servers accept: GitLab Code Quality (--format gitlab), SARIF's links to the
// rule reference (informationUri, helpUri, help), and JUnit without the attributes the
// Jenkins JUnit schema refuses. Runs OPGUARD_BINARY on the sample.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>
#include <set>

#include "test_support.hpp"

using namespace opguard::test;
using json = nlohmann::json;

namespace {
const std::string kSource = OPGUARD_SOURCE_DIR;
const std::string kSample = "check samples/rebuild-plan.json -i samples/fleet";
}  // namespace

TEST_CASE("gitlab: one Code Quality issue per unwaived finding, at its plan line", "[report][gitlab]") {
    CliRun g = run_opguard(kSource, kSample + " --format gitlab");
    CliRun j = run_opguard(kSource, kSample + " --format json");
    REQUIRE(g.exit == 1);
    const json issues = json::parse(g.out);
    const json report = json::parse(j.out);
    REQUIRE(issues.is_array());
    std::vector<json> unwaived;
    for (const auto& f : report["findings"])
        if (f["waiver"].is_null()) unwaived.push_back(f);
    REQUIRE(issues.size() == unwaived.size());
    REQUIRE(!issues.empty());
    std::set<std::string> fingerprints;
    const std::map<std::string, std::string> severity = {{"error", "critical"}, {"warning", "minor"}, {"info", "info"}};
    for (size_t i = 0; i < issues.size(); ++i) {
        const json& issue = issues[i];
        const json& f = unwaived[i];
        CHECK(issue["check_name"] == f["rule"]);
        CHECK(issue["description"] == f["message"]);
        CHECK(issue["severity"] == severity.at(f["severity"].get<std::string>()));
        CHECK(issue["location"]["path"] == f["location"]["file"]);
        CHECK(issue["location"]["lines"]["begin"] == f["location"]["line"]);
        fingerprints.insert(issue["fingerprint"].get<std::string>());
    }
    CHECK(fingerprints.size() == issues.size());  // GitLab shows one issue per fingerprint
    // The first finding of the sample, pinned.
    CHECK(issues[0]["check_name"] == "ecd.rebuild.os-change-outside-mainland");
    CHECK(issues[0]["severity"] == "critical");
    CHECK(issues[0]["location"]["path"] == "samples/rebuild-plan.json");
    CHECK(issues[0]["location"]["lines"]["begin"] == 9);
}

TEST_CASE("gitlab: waived findings are left out: an empty report is an empty array", "[report][gitlab]") {
    CliRun g = run_opguard(kSource, "check tests/golden/waivers-pass/plan.json -i tests/golden/waivers/inventory --today 2026-06-01 --format gitlab");
    CHECK(g.exit == 0);
    CHECK(g.out == "[]\n");
}

TEST_CASE("sarif: informationUri, and helpUri and help for every rule into docs/rules.md", "[report][sarif]") {
    CliRun s = run_opguard(kSource, kSample + " --format sarif");
    const json driver = json::parse(s.out)["runs"][0]["tool"]["driver"];
    CHECK(driver["informationUri"] == "https://github.com/opguard/opguard");
    REQUIRE(driver["rules"].size() > 10);
    for (const auto& r : driver["rules"]) {
        std::string anchor;
        for (char c : r["id"].get<std::string>())
            if (c != '.') anchor += c;
        CHECK(r["helpUri"] == "https://github.com/opguard/opguard/blob/main/docs/rules.md#" + anchor);
        CHECK(!r["help"]["text"].get<std::string>().empty());
        CHECK(!r["help"]["markdown"].get<std::string>().empty());
    }
}

TEST_CASE("junit: only the attributes the Jenkins JUnit schema allows: the place goes to system-out", "[report][junit]") {
    CliRun x = run_opguard(kSource, kSample + " --format junit");
    CHECK(x.out.find(" line=\"") == std::string::npos);
    CHECK(x.out.find("<testcase classname=\"hk-ubuntu-2204\" name=\"ecd-hkwin01a7c2k9\">\n") != std::string::npos);
    CHECK(x.out.find("<testsuites name=\"opguard samples/rebuild-plan.json\" tests=\"38\" failures=\"33\" errors=\"0\">\n") !=
          std::string::npos);
    CHECK(x.out.find("<system-out>at: samples/rebuild-plan.json:9:23\n") != std::string::npos);
}

TEST_CASE("an inferred effect reads as inferred in every format that shows effects", "[report][effects]") {
    const std::string inferred = "desktop ecd-hklin02b3m8q1 status Stopped -> Rebuilding -> Stopped: image m-ubuntu2004 -> m-ubuntu2204lts (Linux) [inferred]";
    CliRun text = run_opguard(kSource, kSample);
    CHECK(text.out.find("    " + inferred + "\n") != std::string::npos);
    CliRun junit = run_opguard(kSource, kSample + " --format junit");
    std::string in_xml = inferred;  // as XML text: ">" escaped
    for (size_t at = 0; (at = in_xml.find('>', at)) != std::string::npos;) in_xml.replace(at, 1, "&gt;");
    CHECK(junit.out.find("effect: " + in_xml + "\n") != std::string::npos);
    // A documented effect carries no basis mark.
    CHECK(junit.out.find("effect: disk d-hk02sys erased (80 GiB): system disk of ecd-hklin02b3m8q1 (cloud_auto) re-initialised from image m-ubuntu2204lts\n") !=
          std::string::npos);
    CliRun github = run_opguard(kSource, kSample + " --format github");
    CHECK(github.out.find("opguard: effect of hk-ubuntu-2204: " + inferred + "\n") != std::string::npos);
    CliRun markdown = run_opguard(kSource, kSample + " --format markdown");
    CHECK(markdown.out.find("What opguard infers (the documentation does not state it):\n\n- desktop `ecd-hklin02b3m8q1` status Stopped -\\> Rebuilding -\\> Stopped (`hk-ubuntu-2204`)") !=
          std::string::npos);
    CliRun sarif = run_opguard(kSource, kSample + " --format sarif");
    const json effects = json::parse(sarif.out)["runs"][0]["properties"]["effects"];
    bool found = false;
    for (const auto& e : effects)
        if (e["target"] == "ecd-hklin02b3m8q1" && e["call"] == "hk-ubuntu-2204" && e["basis"] == "inferred") {
            found = true;
            CHECK(e["text"] == inferred);
            CHECK(e["dataLoss"] == false);
        }
    CHECK(found);
    const json report = json::parse(run_opguard(kSource, kSample + " --format json").out);
    bool in_json = false;
    for (const auto& e : report["effects"])
        if (e.value("target", "") == "ecd-hklin02b3m8q1" && e.value("basis", "") == "inferred") in_json = true;
    CHECK(in_json);
}
