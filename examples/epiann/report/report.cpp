#include "report/report.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include <helix/io/atomic_file.hpp>

#include "common/errors.hpp"
#include "common/json_numbers.hpp"
#include "common/line_reader.hpp"
#include "evaluate/curve_json.hpp"
#include "models/catalog.hpp"
#include "report/svg.hpp"

namespace epiann {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

std::optional<json> read_json(const fs::path& path) {
    if (!fs::exists(path)) return std::nullopt;
    std::ifstream in(path);
    try {
        return json::parse(in);
    } catch (const json::exception& e) {
        throw input_error(path.string() + ": not valid JSON (" + json_problem(e) + ")");
    }
}

// The run's architecture (run.json names its model; a run from before the catalog is EPIANN) and what its training
// loss is, for the report's labels.
struct run_model {
    std::string architecture = "EPIANN";
    std::string loss = "10 x BCE + coordinate MSE";  // plain text (the chart escapes it)
};

run_model run_model_of(const fs::path& run) {
    run_model m;
    const auto request = read_json(run / "run.json");
    if (!request || !request->contains("model") || !request->at("model").is_string()) return m;
    try {
        const model_entry& entry = find_model(request->at("model").get<std::string>());
        m.architecture = entry.architecture;
        if (entry.label_loss_weight == 1.0f) m.loss = "BCE";
    } catch (const input_error&) {  // a model this build does not know: say so rather than guess
        m.architecture = request->at("model").get<std::string>();
        m.loss = "training loss";
    }
    return m;
}

// Rows of a tab-separated file with a header line, as maps from column name to field.
std::vector<std::map<std::string, std::string>> read_table(const fs::path& path) {
    std::vector<std::map<std::string, std::string>> rows;
    if (!fs::exists(path)) return rows;
    line_reader in(path.string());
    std::vector<std::string> header;
    while (auto line = in.next()) {
        if (line->empty()) continue;
        const auto fields = split_fields(*line, '\t');
        if (header.empty()) {
            header.assign(fields.begin(), fields.end());
            continue;
        }
        if (fields.size() != header.size())
            throw in.error("expected " + std::to_string(header.size()) + " tab-separated fields, found " +
                           std::to_string(fields.size()));
        std::map<std::string, std::string> row;
        for (std::size_t k = 0; k < header.size(); ++k) row[header[k]] = std::string(fields[k]);
        rows.push_back(std::move(row));
    }
    return rows;
}

double number(const std::map<std::string, std::string>& row, const std::string& column) {
    const auto it = row.find(column);
    if (it == row.end()) return NAN;
    try {
        return std::stod(it->second);
    } catch (const std::exception&) {
        return NAN;
    }
}

std::string fixed(double v, int digits = 3) {
    if (!std::isfinite(v)) return "n/a";
    char buf[48];
    std::snprintf(buf, sizeof buf, "%.*f", digits, v);
    return buf;
}

std::string percent(double v) { return fixed(100 * v, 1) + " %"; }

// The motif ids (MA...) a grammar file names, enhancer and promoter side.
struct grammar_motifs {
    std::set<std::string> enhancer, promoter;
    std::set<std::pair<std::string, std::string>> pairs;
};

grammar_motifs read_grammar(const fs::path& path) {
    grammar_motifs g;
    if (path.empty() || !fs::exists(path)) return g;
    line_reader in(path.string());
    while (auto line = in.next()) {
        const auto f = split_fields(line->substr(0, line->find('#')), '\t');
        if (f.size() >= 3 && f[0] == "cooperates") {
            g.enhancer.insert(std::string(f[1]));
            g.promoter.insert(std::string(f[2]));
            g.pairs.emplace(std::string(f[1]), std::string(f[2]));
        }
    }
    return g;
}

class html_report {
public:
    void heading(const std::string& text) { body_ += "<h2>" + svg::escape(text) + "</h2>\n"; }
    void paragraph(const std::string& html) { body_ += "<p>" + html + "</p>\n"; }
    void raw(const std::string& html) { body_ += html; }
    void figure(const std::string& title, const std::string& svg_text, const std::string& caption) {
        figures_.push_back(title);
        body_ += "<figure>" + svg_text + "<figcaption>" + caption + "</figcaption></figure>\n";
    }
    void missing(const std::string& section, const fs::path& needs) {
        missing(section, needs.string() + " not found");
    }
    void missing(const std::string& section, const std::string& why) {
        missing_.push_back(section + " (" + why + ")");
        body_ += "<p class=\"missing\">" + svg::escape(section) + ": not available (" + svg::escape(why) + ").</p>\n";
    }
    std::string html(const std::string& title) const {
        return "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>" + svg::escape(title) +
               "</title>\n<style>body{font-family:sans-serif;max-width:1100px;margin:2em auto;color:#222;line-height:1.4}"
               "figure{margin:1.5em 0}figcaption{font-size:0.9em;color:#444;max-width:820px}"
               "table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}"
               "th{background:#f3f3f3}td:first-child,th:first-child{text-align:left}.missing{color:#a33}"
               ".figures{display:flex;flex-wrap:wrap;gap:1em}</style></head>\n<body>\n<h1>" +
               svg::escape(title) + "</h1>\n" + body_ + "</body></html>\n";
    }
    const std::vector<std::string>& figures() const { return figures_; }
    const std::vector<std::string>& missing_sections() const { return missing_; }

private:
    std::string body_;
    std::vector<std::string> figures_, missing_;
};

std::string table_html(const std::vector<std::string>& header, const std::vector<std::vector<std::string>>& rows) {
    std::string t = "<table><tr>";
    for (const auto& h : header) t += "<th>" + svg::escape(h) + "</th>";
    t += "</tr>";
    for (const auto& r : rows) {
        t += "<tr>";
        for (const auto& c : r) t += "<td>" + svg::escape(c) + "</td>";
        t += "</tr>";
    }
    return t + "</table>\n";
}

svg::series curve_series(const std::string& label, const json& points, const std::string& color, bool dashed) {
    svg::series s{label, {}, color, dashed};
    for (const auto& p : curve_from_json(points)) s.points.emplace_back(p.x, p.y);
    return s;
}

void training_section(html_report& r, const fs::path& run, const run_model& model) {
    r.heading("Training");
    const fs::path log = run / "log.jsonl";
    if (!fs::exists(log)) return r.missing("Training curves", log);
    svg::series train{"training loss", {}, "#1f77b4", false}, validation{"validation loss", {}, "#ff7f0e", false};
    svg::series auroc{"validation AUROC", {}, "#2ca02c", false}, aupr{"validation AUPR", {}, "#9467bd", true};
    line_reader in(log.string());
    std::size_t examples = 0;
    double seconds = 0;
    while (auto line = in.next()) {
        if (line->empty()) continue;
        json j;
        try {
            j = json::parse(*line);
        } catch (const json::exception&) {
            throw in.error("expected one JSON object per line");
        }
        const double epoch = j.value("epoch", 0.0);
        train.points.emplace_back(epoch, j.value("train_loss", NAN));
        validation.points.emplace_back(epoch, j.value("validation_loss", NAN));
        auroc.points.emplace_back(epoch, j.value("validation_auroc", NAN));
        aupr.points.emplace_back(epoch, j.value("validation_aupr", NAN));
        examples += j.value("examples", std::size_t{0});
        seconds += j.value("seconds", 0.0);
    }
    std::string setup, kind = "chromosome";
    if (const auto request = read_json(run / "run.json")) {
        const auto& q = *request;
        kind = q.at("split").value("kind", std::string("?"));
        setup = "Model <b>" + svg::escape(q.value("model", std::string("?"))) + "</b>, split <b>" + svg::escape(kind) + "</b>, pairs " +
                svg::escape(q.value("pairs", std::string("?"))) + ", genome " + svg::escape(q.value("genome", std::string("?"))) +
                ". ";
    }
    r.paragraph(setup + std::to_string(train.points.size()) + " epochs, " + std::to_string(examples) + " training examples in " +
                fixed(seconds / 60, 1) + " min. " +
                (kind == "chromosome" ? "Validation pairs come from their own chromosomes; the test set was not seen."
                 : kind == "paper"    ? "Validation and test pairs were drawn at random from the same chromosomes as the training "
                                        "pairs (the paper's split); the test set was not seen."
                                      : "The test set was not seen."));
    svg::axes loss{"Training curves: loss", "epoch", "loss (" + model.loss + ")"};
    loss.fit = true;
    svg::axes quality{"Training curves: validation AUROC and AUPR", "epoch", "score", 0, 0, 0, 1};
    quality.fit = false;
    quality.x_min = train.points.empty() ? 0 : train.points.front().first;
    quality.x_max = train.points.empty() ? 1 : std::max(quality.x_min + 1, train.points.back().first);
    r.raw("<div class=\"figures\">");
    r.figure(loss.title, svg::line_chart(loss, {train, validation}, 480, 300), "Mean loss per epoch on the training batches and on the validation pairs.");
    r.figure(quality.title, svg::line_chart(quality, {auroc, aupr}, 480, 300),
             "Early stopping keeps the epoch with the best validation AUROC.");
    r.raw("</div>");
}

// The audit rows under the run's split, keyed by predictor.
std::vector<json> audit_rows_for(const json& audit, const std::string& split_kind) {
    std::vector<json> rows;
    for (const auto& row : audit)
        if (row.value("split", std::string()).rfind(split_kind, 0) == 0) rows.push_back(row);
    return rows;
}

void evaluation_section(html_report& r, const report_request& q, const run_model& model) {
    r.heading("Held-out test pairs");
    const auto evaluation = read_json(q.run / "evaluation.json");
    const auto audit = q.audit.empty() ? std::nullopt : read_json(q.audit);
    std::string kind = "chromosome";
    if (const auto request = read_json(q.run / "run.json")) kind = request->at("split").value("kind", kind);
    if (!evaluation) return r.missing("Test metrics, ROC and PR curves", q.run / "evaluation.json");
    const auto& e = *evaluation;
    std::vector<std::vector<std::string>> rows{{model.architecture + " (this model)", fixed(e.value("auroc", NAN)), fixed(e.value("aupr", NAN)),
                                                fixed(e.value("f1_at_0.5", NAN)), fixed(e.value("best_f1", NAN))}};
    const std::vector<std::string> colors{"#d62728", "#1f77b4", "#2ca02c", "#9467bd", "#8c564b"};
    std::vector<svg::series> roc{curve_series(model.architecture, e.at("roc"), "#000000", false)};
    std::vector<svg::series> pr{curve_series(model.architecture, e.at("pr"), "#000000", false)};
    if (audit) {
        std::size_t k = 0;
        for (const auto& row : audit_rows_for(*audit, kind)) {
            const std::string name = row.value("predictor", std::string("?"));
            const double a = row.at("auroc").is_number() ? row.at("auroc").get<double>() : NAN;
            const double p = row.at("aupr").is_number() ? row.at("aupr").get<double>() : NAN;
            rows.push_back({name + (name == "motif baseline" ? "" : " (canary)"), fixed(a), fixed(p), "", ""});
            if (row.contains("roc")) roc.push_back(curve_series(name, row.at("roc"), colors[k % colors.size()], true));
            if (row.contains("pr")) pr.push_back(curve_series(name, row.at("pr"), colors[k % colors.size()], true));
            ++k;
        }
    }
    r.paragraph(std::to_string(e.value("pairs", 0)) + " test pairs under the " + svg::escape(kind) + " split, " +
                percent(e.value("positive_rate", 0.0)) + " positive. The canaries use no sequence: <i>overlap</i> calls a test " +
                "pair positive when both its windows overlap a training positive's, <i>propensity</i> scores how often its " +
                "elements were positive in training, <i>distance</i> uses the enhancer-promoter distance. A model that " +
                "does not beat them has learned the split, not the biology. The <i>motif baseline</i> sees which motifs each " +
                "element carries but not how they pair.");
    r.raw(table_html({"predictor", "AUROC", "AUPR", "F1 at 0.5", "best F1"}, rows));
    if (!audit) r.missing("Leak canaries", q.audit.empty() ? fs::path("audit.json") : q.audit);
    r.raw("<div class=\"figures\">");
    r.figure("ROC curves on the test pairs", svg::line_chart({"ROC curves on the test pairs", "false positive rate", "true positive rate"}, roc, 480, 360),
             svg::escape(model.architecture) + " (black) against the leak canaries and the marginal-motif baseline (dashed) on the same test pairs.");
    const double rate = e.value("positive_rate", 0.0);
    pr.push_back({"random (positive rate)", {{0, rate}, {1, rate}}, "#999999", true});
    r.figure("Precision-recall curves on the test pairs",
             svg::line_chart({"Precision-recall curves on the test pairs", "recall", "precision"}, pr, 480, 360),
             "Precision against recall; the grey line is a random ranking (the positive rate).");
    r.raw("</div>");
}

// Per-base values from bin importance: each base takes the largest importance of the bins covering it.
std::vector<double> per_base(const json& element) {
    const long long length = element.at("end").get<long long>() - element.at("start").get<long long>();
    std::vector<double> values(std::size_t(std::max(0LL, length)), 0.0);
    const auto& importance = element.at("bin_importance");
    const auto& spans = element.at("bin_spans");
    for (std::size_t k = 0; k < importance.size() && k < spans.size(); ++k)
        for (long long b = spans[k][0].get<long long>(); b < spans[k][1].get<long long>() && b < length; ++b)
            values[std::size_t(b)] = std::max(values[std::size_t(b)], importance[k].get<double>());
    return values;
}

std::string element_tracks(const std::string& side, const json& element) {
    const long long start = element.at("start"), end = element.at("end");
    std::vector<svg::track> tracks;
    tracks.push_back({"attention", per_base(element), {}});
    svg::track regions{"top regions", {}, {}}, sites{"motif sites", {}, {}}, planted{"planted sites", {}, {}}, peaks{"peaks", {}, {}};
    int rank = 0;
    for (const auto& reg : element.at("top_regions"))
        regions.intervals.push_back({reg[0].get<long long>(), reg[1].get<long long>(), "#" + std::to_string(++rank), "#d62728"});
    for (const auto& s : element.at("motif_sites"))
        sites.intervals.push_back({s.at("start").get<long long>(), s.at("end").get<long long>(), s.at("motif").get<std::string>(), "#1f77b4"});
    for (const auto& s : element.at("planted_sites"))
        planted.intervals.push_back({s.at("start").get<long long>(), s.at("end").get<long long>(), s.at("motif").get<std::string>(), "#2ca02c"});
    for (const auto& p : element.at("peaks")) peaks.intervals.push_back({p[0].get<long long>(), p[1].get<long long>(), "", "#8c564b"});
    tracks.push_back(regions);
    tracks.push_back(sites);
    if (!planted.intervals.empty()) tracks.push_back(planted);
    if (!peaks.intervals.empty()) tracks.push_back(peaks);
    const std::string region = element.at("chromosome").get<std::string>() + ":" + std::to_string(start) + "-" + std::to_string(end);
    return svg::track_view("Attention along the example " + side + " window", region, end - start, tracks, 900);
}

void example_section(html_report& r, const fs::path& explain) {
    r.heading("An example positive pair");
    const fs::path path = explain / "example_pair.json";
    const auto example = read_json(path);
    if (!example) return r.missing("Attention heatmap and tracks", path);
    const auto& x = *example;
    r.paragraph("The test positive the model is most confident about: " + svg::escape(x.value("enhancer_name", std::string())) +
                " with " + svg::escape(x.value("promoter_name", std::string())) + ", probability " +
                fixed(x.value("probability", NAN), 3) + ".");
    if (x.contains("attention")) {  // a model with a pair map (EPIANN, EPI-Trans); the others have per-side weights only
        const auto& a = x.at("attention");
        const std::size_t rows = a.at("rows"), cols = a.at("cols");
        std::vector<std::vector<double>> values(rows, std::vector<double>(cols));
        for (std::size_t i = 0; i < rows; ++i)
            for (std::size_t j = 0; j < cols; ++j) values[i][j] = a.at("values")[i * cols + j].get<double>();
        auto labels = [](const json& element, std::size_t n) {
            std::vector<std::string> out(n);
            const auto& spans = element.at("bin_spans");
            for (std::size_t k = 0; k < n && k < spans.size(); k += 5) out[k] = std::to_string(spans[k][0].get<long long>());
            return out;
        };
        r.figure("Attention of the example pair",
                 svg::heatmap("Attention of the example pair", values, labels(x.at("enhancer"), rows), labels(x.at("promoter"), cols),
                              "promoter bin (start inside the window, bp)", "enhancer bin"),
                 "Each row is an enhancer bin asking which promoter bins matter (" + svg::escape(a.value("meaning", std::string())) +
                     "). Bright columns are promoter bins many enhancer bins attend to.");
    } else {
        r.paragraph("This model's attention is per side (" + svg::escape(x.value("attention_kind", std::string("its attention"))) +
                    "), so there is no enhancer-by-promoter map to draw; the tracks below show each side's importance.");
    }
    if (x.contains("cross_effects")) {  // which enhancer region the promoter's attribution depends on, and the reverse
        const auto& c = x.at("cross_effects");
        const auto& ep = c.at("enhancer_to_promoter");
        const std::size_t rows = ep.at("rows"), cols = ep.at("cols"), region = c.at("region");
        std::vector<std::vector<double>> values(rows, std::vector<double>(cols));
        for (std::size_t i = 0; i < rows; ++i)
            for (std::size_t j = 0; j < cols; ++j) values[i][j] = ep.at("values")[i * cols + j].get<double>();
        auto starts = [region](std::size_t n) {
            std::vector<std::string> out(n);
            for (std::size_t k = 0; k < n; k += 5) out[k] = std::to_string(k * region);
            return out;
        };
        std::string measured;
        if (const auto summary = read_json(explain / "summary.json"); summary && summary->contains("pairwise")) {
            const auto& p = summary->at("pairwise");
            if (p.contains("attention_row_dependence_mean") && p.contains("example_cross_effect_row_dependence"))
                measured = " How pairwise is attention? The rows of a pair's attention map differ by " +
                           percent(p.at("attention_row_dependence_mean").get<double>()) +
                           " of the map's variance (mean over " + std::to_string(p.value("positive_pairs_with_map", 0)) +
                           " positive pairs; 0 % would be pure column stripes, every enhancer bin attending alike), against " +
                           percent(p.at("example_cross_effect_row_dependence").get<double>()) +
                           " for this cross-effect map, which reads the pairing from the model's gradients.";
        }
        r.figure("Cross effects of the example pair",
                 svg::heatmap("Cross effects of the example pair", values, starts(rows), starts(cols),
                              "promoter region (start, bp)", "occluded enhancer region (start, bp)"),
                 "How occluding each " + std::to_string(region) + " bp enhancer region (set to N) changes the input x gradient "
                 "of each promoter region: a cell away from zero is an enhancer region the model reads the promoter region "
                 "with. The reverse map (promoter regions occluded) is in example_pair.json." + measured);
    }
    r.figure("Attention along the example enhancer window", element_tracks("enhancer", x.at("enhancer")),
             "Importance per base (the largest attention any promoter bin pays to the enhancer bin covering it), the top "
             "attention regions, sites of the ten most enriched motifs, and, on simulated data, the planted sites and the "
             "occupancy peaks.");
    r.figure("Attention along the example promoter window", element_tracks("promoter", x.at("promoter")),
             "The same for the promoter.");
}

void enrichment_section(html_report& r, const fs::path& explain, const grammar_motifs& grammar) {
    r.heading("Motifs and TF pairs in attention regions");
    const fs::path motifs = explain / "motif_enrichment.tsv", pairs = explain / "tf_pairs.tsv";
    const auto rows = read_table(motifs);
    if (rows.empty()) {
        r.missing("Motif enrichment", motifs);
    } else {
        r.raw("<div class=\"figures\">");
        for (const auto& [table, side, planted] : {std::tuple{"enhancer_positives", "enhancer", &grammar.enhancer},
                                                   std::tuple{"promoter_positives", "promoter", &grammar.promoter}}) {
            std::vector<svg::bar> bars;
            for (const auto& row : rows) {
                if (row.at("table") != table || bars.size() == 15) continue;
                bars.push_back({row.at("tf") + " (" + row.at("motif") + ")", number(row, "fold"),
                                "z " + fixed(number(row, "z"), 1) + ", p " + row.at("p_value"), planted->count(row.at("motif")) > 0});
            }
            const std::string title = std::string("Motif enrichment in ") + side + " attention regions (positive pairs)";
            r.figure(title, svg::bar_chart(title, "fold enrichment over random regions", bars),
                     std::string("The 15 motifs whose sites fall most often into the top attention regions of ") + side +
                         "s of positive pairs, against random regions of the same sizes in the same windows (permutation " +
                         "p-values)." + (planted->empty() ? "" : " Highlighted: motifs of the simulated grammar."));
        }
        r.raw("</div>");
    }
    const auto tf = read_table(pairs);
    if (!fs::exists(pairs)) return r.missing("TF-pair enrichment", pairs);
    if (tf.empty()) return r.missing("TF-pair enrichment", pairs.string() + " lists no pair: too few pairs co-occur");
    // The TFs of the 25 strongest pairs, as a matrix of log2 odds ratios.
    std::vector<std::string> enhancer_tfs, promoter_tfs;
    std::map<std::pair<std::string, std::string>, double> odds;
    for (std::size_t k = 0; k < tf.size() && k < 25; ++k) {
        const auto& row = tf[k];
        const std::string e = row.at("enhancer_tf"), p = row.at("promoter_tf");
        if (std::find(enhancer_tfs.begin(), enhancer_tfs.end(), e) == enhancer_tfs.end()) enhancer_tfs.push_back(e);
        if (std::find(promoter_tfs.begin(), promoter_tfs.end(), p) == promoter_tfs.end()) promoter_tfs.push_back(p);
    }
    for (const auto& row : tf) {
        const double o = number(row, "odds_ratio");
        odds.emplace(std::pair{row.at("enhancer_tf"), row.at("promoter_tf")}, std::isfinite(o) && o > 0 ? std::log2(std::min(o, 1e3)) : NAN);
    }
    std::vector<std::vector<double>> values(enhancer_tfs.size(), std::vector<double>(promoter_tfs.size(), NAN));
    for (std::size_t i = 0; i < enhancer_tfs.size(); ++i)
        for (std::size_t j = 0; j < promoter_tfs.size(); ++j)
            if (const auto it = odds.find({enhancer_tfs[i], promoter_tfs[j]}); it != odds.end()) values[i][j] = it->second;
    r.figure("TF-pair enrichment", svg::heatmap("TF-pair enrichment", values, enhancer_tfs, promoter_tfs, "promoter motif", "enhancer motif"),
             "log2 odds ratio that motif m in an enhancer's top regions co-occurs with motif n in its promoter's top regions "
             "in positive rather than negative pairs (Fisher's exact test, Benjamini-Hochberg FDR in tf_pairs.tsv), for the "
             "motifs of the 25 strongest pairs; grey: not tested.");
    std::vector<std::vector<std::string>> top;
    for (std::size_t k = 0; k < tf.size() && k < 10; ++k) {
        const auto& row = tf[k];
        const bool planted = grammar.pairs.count({row.at("enhancer_motif"), row.at("promoter_motif")}) > 0;
        top.push_back({row.at("rank"), row.at("enhancer_tf") + " - " + row.at("promoter_tf") + (planted ? " (planted)" : ""),
                       row.at("odds_ratio"), row.at("p_value"), row.at("q_value")});
    }
    r.raw(table_html({"rank", "enhancer TF - promoter TF", "odds ratio", "p", "q (BH)"}, top));
}

void recovery_section(html_report& r, const fs::path& explain) {
    const fs::path path = explain / "summary.json";
    const auto summary = read_json(path);
    if (!summary) return r.missing("Grammar recovery and open chromatin", path);
    const auto& s = *summary;
    const std::string method = s.value("method", "attention");  // the first of explain's methods
    const std::string regions = method == "attention" ? "attention regions" : svg::escape(method) + " regions";
    if (s.contains("recovery")) {
        r.heading("Recovery of the simulated grammar");
        const auto& rec = s.at("recovery");
        r.paragraph("In " + percent(rec.value("top_enhancer_regions_hold_cooperating_site", 0.0)) + " of " +
                    std::to_string(rec.value("positive_pairs", 0)) + " positive test pairs the top 5 enhancer " + regions + " " +
                    "hold a planted cooperating site (random regions of the same sizes: " +
                    percent(rec.value("expected_for_random_regions", 0.0)) + "). " + std::to_string(rec.value("planted_pairs_in_top15", 0)) +
                    " of " + std::to_string(rec.at("planted_pairs").size()) + " planted TF pairs are among the 15 strongest TF pairs, of " +
                    std::to_string(s.value("motifs", 0)) + " motifs scanned.");
        std::vector<std::vector<std::string>> rows;
        auto rank = [](const json& v) { return v.get<int>() > 0 ? std::to_string(v.get<int>()) : std::string("-"); };
        for (const auto& p : rec.at("planted_pairs"))
            rows.push_back({planted_pair_label(p),
                            rank(p.at("enhancer_rank")), rank(p.at("promoter_rank")), rank(p.at("tf_pair_rank"))});
        r.raw(table_html({"planted pair (enhancer - promoter motif)", "enhancer motif rank", "promoter motif rank", "TF-pair rank"}, rows));
    }
    if (s.contains("open_chromatin")) {
        r.heading("Open chromatin");
        const auto& o = s.at("open_chromatin");
        r.paragraph(percent(o.value("top_regions_in_peaks", 0.0)) + " of the " + std::to_string(o.value("top_regions", 0)) +
                    " top " + regions + " overlap a peak of the occupancy file (" + std::to_string(o.value("peaks", 0)) +
                    " peaks); random regions of the same sizes in the same windows: " +
                    percent(o.value("random_regions_in_peaks", 0.0)) + ".");
    }
}

// Every method of `explain --methods` side by side: how well each finds the planted grammar (with --truth).
void methods_section(html_report& r, const fs::path& explain) {
    const auto summary = read_json(explain / "summary.json");
    if (!summary || !summary->contains("methods") || summary->at("methods").size() < 2) return;
    const auto& methods = summary->at("methods");
    std::size_t positives = 0;
    for (const auto& [name, m] : methods.items())
        if (m.contains("recovery")) positives = m.at("recovery").value("positive_pairs", std::size_t(0));
    const std::string subset = summary->value("subset", "all");
    const std::string pairs = std::to_string(summary->value("pairs", 0)) + " " + summary->value("set", std::string("test")) +
                              " pairs" + (positives ? " (" + std::to_string(positives) + " positive)" : std::string()) +
                              (subset == "balanced"     ? ", a seeded subset with as many positive as negative pairs"
                               : subset == "stratified" ? ", a seeded subset keeping the share of positives"
                                                        : "");
    r.heading("Attribution methods side by side");
    std::vector<std::vector<std::string>> rows;
    std::vector<svg::bar> enhancer_bars, promoter_bars;
    std::string base_rates;
    const auto fixed3 = [](double v) { return fixed(v, 3); };
    for (const auto& [name, m] : methods.items()) {
        std::vector<std::string> row{name};
        if (m.contains("recovery")) {
            const auto& rec = m.at("recovery");
            row.push_back(percent(rec.value("top_enhancer_regions_hold_cooperating_site", 0.0)) + " (random " +
                          percent(rec.value("expected_for_random_regions", 0.0)) + ")");
            row.push_back(std::to_string(rec.value("planted_pairs_in_top15", 0)) + " of " + std::to_string(rec.at("planted_pairs").size()));
        } else {
            row.insert(row.end(), {"-", "-"});
        }
        if (m.contains("per_base")) {
            const auto& pb = m.at("per_base");
            for (const char* side : {"enhancer", "promoter"}) row.push_back(fixed3(pb.at(side).value("auprc", 0.0)));
            enhancer_bars.push_back({name, pb.at("enhancer").value("auprc", 0.0), fixed3(pb.at("enhancer").value("auprc", 0.0))});
            promoter_bars.push_back({name, pb.at("promoter").value("auprc", 0.0), fixed3(pb.at("promoter").value("auprc", 0.0))});
            base_rates = "enhancer " + fixed3(pb.at("enhancer").value("planted_base_fraction", 0.0)) + ", promoter " +
                         fixed3(pb.at("promoter").value("planted_base_fraction", 0.0));
        } else {
            row.insert(row.end(), {"-", "-"});
        }
        row.push_back(m.contains("completeness") ? "median gap " + percent(m.at("completeness").value("median_relative_gap", 0.0))
                                                 : std::string());
        row.push_back(m.value("cost", ""));
        rows.push_back(std::move(row));
    }
    r.paragraph("Each method scores every base of both windows for the interaction logit (<code>epiann explain --methods</code>; "
                "attention: the paper's bin importance), here on " + pairs + " (" + svg::escape(explain.filename().string()) +
                "/). Top regions are each method's 5 best bins per element; per-base AUPRC "
                "ranks the bases of the planted cooperating sites among all bases of the windows of positive pairs.");
    r.raw(table_html({"method", "top 5 enhancer regions hold a cooperating site", "planted TF pairs in the top 15",
                      "per-base AUPRC, enhancer", "per-base AUPRC, promoter", "completeness", "cost"}, rows));
    if (!enhancer_bars.empty()) {
        for (auto& [side, bars] : {std::pair{"enhancer", &enhancer_bars}, std::pair{"promoter", &promoter_bars}}) {
            const std::string title = std::string("Per-base AUPRC of planted sites, ") + side;
            r.figure(title, svg::bar_chart(title, "average precision", *bars),
                     std::string("How well each method's per-base scores rank the bases of planted cooperating sites in the ") + side +
                         " windows of positive pairs; a random score's AUPRC is the share of such bases (" + base_rates + ").");
        }
    }
}

}  // namespace

report_request report_request_for(const fs::path& dir) {
    report_request r;
    if (fs::exists(dir / "log.jsonl")) {
        r.run = dir;
        if (fs::exists(dir.parent_path() / "audit.json")) r.audit = dir.parent_path() / "audit.json";
        if (fs::exists(dir.parent_path() / "explain")) r.explain = dir.parent_path() / "explain";
    } else {
        r.run = dir / "run";
        r.audit = dir / "audit.json";
        r.explain = dir / "explain";
        if (fs::exists(dir / "methods" / "summary.json")) r.methods = dir / "methods";
        if (fs::exists(dir / "data" / "grammar.tsv")) r.grammar = dir / "data" / "grammar.tsv";
    }
    if (!fs::exists(r.run / "log.jsonl"))
        throw input_error(dir.string() + ": not a training run or demo directory (no log.jsonl in it or in its run/)");
    r.out = dir / "report.html";
    return r;
}

report_summary write_report(const report_request& q) {
    html_report r;
    std::time_t now = std::time(nullptr);
    char date[32];
    std::strftime(date, sizeof date, "%Y-%m-%d %H:%M UTC", std::gmtime(&now));
    const run_model model = run_model_of(q.run);
    const std::string what = model.architecture == "EPIANN"
                                 ? ". EPIANN (Mao, Kostka and Chikina 2017) predicts whether an enhancer and a promoter interact "
                                   "from their DNA alone; its attention says which parts of each sequence it used."
                                 : ". " + svg::escape(model.architecture) + ", one of the published sequence-only models "
                                   "(epiann models), predicts whether an enhancer and a promoter interact from their DNA alone.";
    r.paragraph("Written by <code>epiann report</code> on " + std::string(date) + " from " + svg::escape(q.run.string()) + what);
    training_section(r, q.run, model);
    evaluation_section(r, q, model);
    const grammar_motifs grammar = read_grammar(q.grammar);
    if (q.explain.empty()) {
        r.missing("Attention, motifs and TF pairs", std::string("no explain directory given"));
    } else {
        recovery_section(r, q.explain);
        methods_section(r, q.methods.empty() ? q.explain : q.methods);
        example_section(r, q.explain);
        enrichment_section(r, q.explain, grammar);
    }
    helix::write_file_atomically(q.out, r.html(model.architecture + " report"));
    return {r.figures(), r.missing_sections()};
}

std::string planted_pair_label(const nlohmann::json& p) {
    const std::string ids = p.at("enhancer_motif").get<std::string>() + " - " + p.at("promoter_motif").get<std::string>();
    if (!p.contains("enhancer_tf") || !p.contains("promoter_tf")) return ids;
    return p.at("enhancer_tf").get<std::string>() + " - " + p.at("promoter_tf").get<std::string>() + " (" + ids + ")";
}

}  // namespace epiann
