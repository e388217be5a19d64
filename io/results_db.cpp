#include "io/results_db.h"

#include <fmt/format.h>
#include <sqlite3.h>

#include <cmath>
#include <optional>
#include <utility>

#include "io/output_file.h"
#include "sbrtkit/version.h"
#include "sbrtkit/io/csv.h"
#include "io/output_values.h"

namespace sbrtkit {
namespace {

// The schema is documented in docs/batch.md; keep both in step (and bump kResultsSchemaVersion).
constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS meta (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS plans (
  plan_key               TEXT PRIMARY KEY,
  plan_uid               TEXT NOT NULL,
  plan_label             TEXT NOT NULL,
  patient_id             TEXT NOT NULL,
  patient_name           TEXT NOT NULL,
  frame_of_reference_uid TEXT NOT NULL,
  rtplan_file            TEXT,
  rtstruct_file          TEXT,
  rtdose_file            TEXT,
  image_count            INTEGER NOT NULL,
  input_fingerprint      TEXT NOT NULL,
  protocol_id            TEXT NOT NULL,
  protocol_version       TEXT NOT NULL,
  status                 TEXT NOT NULL CHECK (status IN ('evaluated', 'error')),
  result                 TEXT,
  n_pass                 INTEGER,
  n_minor                INTEGER,
  n_major                INTEGER,
  n_not_evaluable        INTEGER,
  missing_required       TEXT,
  fractions              INTEGER,
  prescription_gy        REAL,
  error                  TEXT,
  warnings               TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS structures (
  plan_key         TEXT NOT NULL REFERENCES plans(plan_key),
  roi_number       INTEGER NOT NULL,
  name             TEXT NOT NULL,
  interpreted_type TEXT NOT NULL,
  volume_cc        REAL NOT NULL,
  coverage         REAL NOT NULL,
  prescription_gy  REAL,
  PRIMARY KEY (plan_key, roi_number)
);
CREATE TABLE IF NOT EXISTS constraint_results (
  plan_key           TEXT NOT NULL REFERENCES plans(plan_key),
  row_index          INTEGER NOT NULL,
  protocol_structure TEXT NOT NULL,
  source_protocol    TEXT NOT NULL,
  structure          TEXT,
  roi_number         INTEGER,
  matched_by         TEXT,
  role               TEXT NOT NULL,
  required           INTEGER NOT NULL,
  constraint_text    TEXT NOT NULL,
  metric             TEXT NOT NULL,
  unit               TEXT NOT NULL,
  value              REAL,
  comparison         TEXT NOT NULL,
  limit_value        REAL,
  minor_limit        REAL,
  prescription_gy    REAL,
  result             TEXT NOT NULL,
  eqd2               INTEGER NOT NULL,
  unconfirmed        INTEGER NOT NULL,
  reason             TEXT NOT NULL,
  PRIMARY KEY (plan_key, row_index)
);
CREATE TABLE IF NOT EXISTS dvh_metrics (
  plan_key   TEXT NOT NULL REFERENCES plans(plan_key),
  roi_number INTEGER NOT NULL,
  metric     TEXT NOT NULL,
  value      REAL,
  PRIMARY KEY (plan_key, roi_number, metric)
);
CREATE TABLE IF NOT EXISTS runs (
  run_id       INTEGER PRIMARY KEY,
  started_utc  TEXT NOT NULL,
  finished_utc TEXT NOT NULL,
  root         TEXT NOT NULL,
  shard        TEXT NOT NULL,
  protocol     TEXT NOT NULL,
  jobs         INTEGER NOT NULL,
  discovered   INTEGER NOT NULL,
  in_shard     INTEGER NOT NULL,
  skipped      INTEGER NOT NULL,
  evaluated    INTEGER NOT NULL,
  failed       INTEGER NOT NULL,
  seconds      REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS constraint_results_by_result ON constraint_results(result);
)sql";

// The result tables in dependency order (children first), with the key order of dump().
struct TableKey {
  const char* table;
  const char* order_by;
};
constexpr TableKey kResultTables[] = {{"dvh_metrics", "plan_key, roi_number, metric"},
                                      {"constraint_results", "plan_key, row_index"},
                                      {"structures", "plan_key, roi_number"},
                                      {"plans", "plan_key"}};

Error sql_error(const std::filesystem::path& file, sqlite3* db, const std::string& what) {
  return Error::io(file.string(), fmt::format("SQLite: {}: {}", what, db ? sqlite3_errmsg(db) : "out of memory"));
}

/// A prepared statement with positional binding in call order.
class Statement {
 public:
  Statement(sqlite3* db, const std::string& sql) { rc_ = sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt_, nullptr); }
  ~Statement() { sqlite3_finalize(stmt_); }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  bool prepared() const { return rc_ == SQLITE_OK; }

  Statement& text(const std::string& v) {
    sqlite3_bind_text(stmt_, ++param_, v.c_str(), int(v.size()), SQLITE_TRANSIENT);
    return *this;
  }
  Statement& text_or_null(const std::string& v) { return v.empty() ? null() : text(v); }
  Statement& integer(long long v) {
    sqlite3_bind_int64(stmt_, ++param_, v);
    return *this;
  }
  Statement& integer(const std::optional<int>& v) { return v ? integer(*v) : null(); }
  Statement& real(double v) {
    if (!std::isfinite(v)) return null();
    sqlite3_bind_double(stmt_, ++param_, v);
    return *this;
  }
  Statement& real(const std::optional<double>& v) { return v ? real(*v) : null(); }
  Statement& null() {
    sqlite3_bind_null(stmt_, ++param_);
    return *this;
  }
  /// SQLITE_DONE / SQLITE_ROW / an error code.
  int step() { return sqlite3_step(stmt_); }
  void reset() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
    param_ = 0;
  }
  sqlite3_stmt* get() { return stmt_; }

 private:
  sqlite3_stmt* stmt_ = nullptr;
  int rc_ = SQLITE_ERROR;
  int param_ = 0;
};

Status exec(sqlite3* db, const std::filesystem::path& file, const std::string& sql) {
  char* message = nullptr;
  if (sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &message) != SQLITE_OK) {
    std::string m = message ? message : "unknown error";
    sqlite3_free(message);
    return Error::io(file.string(), "SQLite: " + m + " (in: " + sql.substr(0, 60) + ")");
  }
  return ok();
}

std::string join(const std::vector<std::string>& items, const char* separator) {
  std::string out;
  for (const auto& s : items) {
    if (!out.empty()) out += separator;
    out += s;
  }
  return out;
}

std::string column_text(sqlite3_stmt* s, int i) {
  const auto* p = sqlite3_column_text(s, i);
  return p ? std::string(reinterpret_cast<const char*>(p), std::size_t(sqlite3_column_bytes(s, i))) : std::string();
}

/// A value as CSV (empty for NULL; reals in the shortest form that reads back to the same double).
std::string csv_value(sqlite3_stmt* s, int i) {
  switch (sqlite3_column_type(s, i)) {
    case SQLITE_NULL: return "";
    case SQLITE_INTEGER: return std::to_string(sqlite3_column_int64(s, i));
    case SQLITE_FLOAT: return fmt::format("{}", sqlite3_column_double(s, i));
    default: return csv_cell(column_text(s, i));
  }
}

/// A value for dump(): types kept apart so that 1 and '1' and NULL and '' differ.
std::string dump_value(sqlite3_stmt* s, int i) {
  switch (sqlite3_column_type(s, i)) {
    case SQLITE_NULL: return "NULL";
    case SQLITE_INTEGER: return std::to_string(sqlite3_column_int64(s, i));
    case SQLITE_FLOAT: return fmt::format("{}", sqlite3_column_double(s, i));
    default: return fmt::format("'{}'", column_text(s, i));
  }
}

Expected<std::string> query_csv(sqlite3* db, const std::filesystem::path& file, const std::string& sql) {
  Statement q(db, sql);
  if (!q.prepared()) return sql_error(file, db, "export query");
  std::string out;
  const int columns = sqlite3_column_count(q.get());
  for (int i = 0; i < columns; ++i) out += fmt::format("{}{}", i ? "," : "", sqlite3_column_name(q.get(), i));
  out += "\n";
  int rc;
  while ((rc = q.step()) == SQLITE_ROW) {
    for (int i = 0; i < columns; ++i) out += fmt::format("{}{}", i ? "," : "", csv_value(q.get(), i));
    out += "\n";
  }
  if (rc != SQLITE_DONE) return sql_error(file, db, "export");
  return out;
}

}  // namespace

ResultsDb::ResultsDb(sqlite3* db, std::filesystem::path file) : db_(db), file_(std::move(file)) {}
ResultsDb::ResultsDb(ResultsDb&& other) noexcept : db_(std::exchange(other.db_, nullptr)), file_(other.file_) {}
ResultsDb& ResultsDb::operator=(ResultsDb&& other) noexcept {
  std::swap(db_, other.db_);
  std::swap(file_, other.file_);
  return *this;
}
ResultsDb::~ResultsDb() { sqlite3_close(db_); }

Expected<ResultsDb> ResultsDb::open(const std::filesystem::path& file) {
  sqlite3* raw = nullptr;
  if (sqlite3_open_v2(file.c_str(), &raw, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr) !=
      SQLITE_OK) {
    Error e = sql_error(file, raw, "cannot open");
    sqlite3_close(raw);
    return e;
  }
  ResultsDb db(raw, file);
  // Another process (a second batch into the same folder) may hold the write lock for one plan.
  sqlite3_busy_timeout(raw, 120000);
  if (auto s = exec(raw, file, "PRAGMA foreign_keys = ON;"); !s) return s.error();
  Statement version(raw, "PRAGMA user_version");
  if (!version.prepared() || version.step() != SQLITE_ROW)
    return Error::bad_value(file.string(), "SQLite header", "an sbrtkit results database", "not an SQLite database");
  const int found = sqlite3_column_int(version.get(), 0);
  Statement tables(raw, "SELECT count(*) FROM sqlite_master");
  if (!tables.prepared() || tables.step() != SQLITE_ROW) return sql_error(file, raw, "reading the schema");
  const bool empty = sqlite3_column_int(tables.get(), 0) == 0;
  if (!empty && found != kResultsSchemaVersion)
    return Error::bad_value(file.string(), "PRAGMA user_version",
                            fmt::format("an sbrtkit results database, schema version {}", kResultsSchemaVersion),
                            found == 0 ? std::string("another SQLite database") : fmt::format("version {}", found));
  if (empty) {
    std::string sql = "BEGIN;";
    sql += kSchema;
    sql += fmt::format("PRAGMA user_version = {};", kResultsSchemaVersion);
    sql += fmt::format("INSERT OR REPLACE INTO meta VALUES ('schema_version', '{}'), ('created_by', 'sbrtkit {}');",
                       kResultsSchemaVersion, kVersion);
    sql += "COMMIT;";
    if (auto s = exec(raw, file, sql); !s) return s.error();
  }
  return db;
}

Expected<std::map<std::string, ResultsDb::StoredPlan>> ResultsDb::stored_plans() const {
  Statement q(db_, "SELECT plan_key, input_fingerprint, status, result FROM plans");
  if (!q.prepared()) return sql_error(file_, db_, "reading plans");
  std::map<std::string, StoredPlan> out;
  int rc;
  while ((rc = q.step()) == SQLITE_ROW)
    out[column_text(q.get(), 0)] = {column_text(q.get(), 1), column_text(q.get(), 2), column_text(q.get(), 3)};
  if (rc != SQLITE_DONE) return sql_error(file_, db_, "reading plans");
  return out;
}

std::size_t ResultsDb::plan_count() const {
  Statement q(db_, "SELECT count(*) FROM plans");
  return q.prepared() && q.step() == SQLITE_ROW ? std::size_t(sqlite3_column_int64(q.get(), 0)) : 0;
}

Status ResultsDb::remove(const std::vector<std::string>& plan_keys) {
  if (plan_keys.empty()) return ok();
  if (auto s = exec(db_, file_, "BEGIN IMMEDIATE;"); !s) return s;
  for (const auto& key : plan_keys)
    for (const auto& t : kResultTables) {
      Statement del(db_, fmt::format("DELETE FROM {} WHERE plan_key = ?", t.table));
      if (!del.prepared() || del.text(key).step() != SQLITE_DONE) {
        Error e = sql_error(file_, db_, fmt::format("removing plan {}", key));
        (void)exec(db_, file_, "ROLLBACK;");  // best effort: the error above is the one reported
        return e;
      }
    }
  return exec(db_, file_, "COMMIT;");
}

Status ResultsDb::store(const PlanResult& r, const std::filesystem::path& root) {
  if (auto s = exec(db_, file_, "BEGIN IMMEDIATE;"); !s) return s;
  auto fail = [&](const std::string& what) -> Status {
    Error e = sql_error(file_, db_, what + " of plan " + r.job.key);
    (void)exec(db_, file_, "ROLLBACK;");  // best effort: the error above is the one reported
    return e;
  };
  for (const auto& t : kResultTables) {
    Statement del(db_, fmt::format("DELETE FROM {} WHERE plan_key = ?", t.table));
    if (!del.prepared() || del.text(r.job.key).step() != SQLITE_DONE) return fail("replacing the rows");
  }
  const PlanJob& j = r.job;
  const bool ok_plan = r.status == PlanStatus::evaluated;
  Statement plan(db_, "INSERT INTO plans VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
  if (!plan.prepared()) return fail("preparing the plan row");
  plan.text(j.key).text(j.plan_uid).text(j.plan_label).text(j.patient_id).text(j.patient_name)
      .text(j.frame_of_reference_uid);
  j.rtplan ? plan.text(path_under(*j.rtplan, root)) : plan.null();
  j.rtstruct ? plan.text(path_under(*j.rtstruct, root)) : plan.null();
  j.rtdoses.empty() ? plan.null() : plan.text(path_under(j.rtdoses.front(), root));
  plan.integer((long long)j.images.size()).text(j.input_fingerprint).text(r.protocol_id).text(r.protocol_version)
      .text(to_string(r.status));
  if (ok_plan)
    plan.text(r.overall).integer(r.passed).integer(r.minor).integer(r.major).integer(r.not_evaluable)
        .text(join(r.missing_required, "; "));
  else
    plan.null().null().null().null().null().null();
  plan.integer(r.fractions).real(r.prescription_gy);
  ok_plan ? plan.null() : plan.text(r.error);
  plan.text(join(r.warnings, "\n"));
  if (plan.step() != SQLITE_DONE) return fail("inserting the plan row");

  Statement st(db_, "INSERT INTO structures VALUES (?,?,?,?,?,?,?)");
  Statement metric(db_, "INSERT INTO dvh_metrics VALUES (?,?,?,?)");
  if (!st.prepared() || !metric.prepared()) return fail("preparing the structure rows");
  for (const auto& s : r.structures) {
    st.reset();
    st.text(j.key).integer(s.roi_number).text(s.name).text(s.interpreted_type).real(s.volume_cc).real(s.coverage)
        .real(s.prescription_gy);
    if (st.step() != SQLITE_DONE) return fail(fmt::format("inserting structure {}", s.roi_number));
    for (const auto& m : s.metrics) {
      metric.reset();
      metric.text(j.key).integer(s.roi_number).text(m.key).real(m.value);
      if (metric.step() != SQLITE_DONE) return fail(fmt::format("inserting metric {} of ROI {}", m.key, s.roi_number));
    }
  }
  Statement row(db_, "INSERT INTO constraint_results VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
  if (!row.prepared()) return fail("preparing the constraint rows");
  for (std::size_t i = 0; i < r.constraints.size(); ++i) {
    const ConstraintRow& c = r.constraints[i];
    row.reset();
    row.text(j.key).integer((long long)i).text(c.protocol_structure).text(c.from).text_or_null(c.structure);
    c.roi_number ? row.integer(c.roi_number) : row.null();
    row.text_or_null(c.matched_by).text(c.role).integer(c.required ? 1 : 0).text(c.constraint).text(c.metric)
        .text(c.unit).real(c.value).text(c.comparison).real(c.limit).real(c.minor_limit).real(c.prescription_gy)
        .text(to_string(c.result)).integer(c.eqd2 ? 1 : 0).integer(c.unconfirmed ? 1 : 0).text(c.reason);
    if (row.step() != SQLITE_DONE) return fail(fmt::format("inserting constraint row {}", i));
  }
  if (auto s = exec(db_, file_, "COMMIT;"); !s) {
    (void)exec(db_, file_, "ROLLBACK;");  // best effort: the error above is the one reported
    return s;
  }
  return ok();
}

Status ResultsDb::record_run(const RunRecord& run) {
  Statement q(db_,
              "INSERT INTO runs (started_utc, finished_utc, root, shard, protocol, jobs, discovered, in_shard, "
              "skipped, evaluated, failed, seconds) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)");
  if (!q.prepared()) return sql_error(file_, db_, "recording the run");
  q.text(run.started_utc).text(run.finished_utc).text(run.root).text(run.shard).text(run.protocol).integer(run.jobs)
      .integer((long long)run.discovered).integer((long long)run.in_shard).integer((long long)run.skipped)
      .integer((long long)run.evaluated).integer((long long)run.failed).real(run.seconds);
  if (q.step() != SQLITE_DONE) return sql_error(file_, db_, "recording the run");
  return ok();
}

Status ResultsDb::merge_from(const std::filesystem::path& other, std::vector<std::string>& replaced) {
  {
    // Validates the schema version of the other file (and fails on a non-database) before attaching.
    auto probe = ResultsDb::open(other);
    if (!probe) return probe.error();
  }
  Statement attach(db_, "ATTACH DATABASE ? AS src");
  if (!attach.prepared() || attach.text(other.string()).step() != SQLITE_DONE)
    return sql_error(other, db_, "cannot attach");
  auto detach = [&] { (void)exec(db_, file_, "DETACH DATABASE src;"); };
  if (auto s = exec(db_, file_, "BEGIN IMMEDIATE;"); !s) {
    detach();
    return s;
  }
  auto fail = [&](const std::string& what) -> Status {
    Error e = sql_error(other, db_, what);
    (void)exec(db_, file_, "ROLLBACK;");  // best effort: the error above is the one reported
    detach();
    return e;
  };
  {
    Statement dup(db_, "SELECT plan_key FROM src.plans WHERE plan_key IN (SELECT plan_key FROM main.plans) "
                       "ORDER BY plan_key");
    if (!dup.prepared()) return fail("reading plans");
    while (dup.step() == SQLITE_ROW) replaced.push_back(column_text(dup.get(), 0));
  }
  for (const auto& t : kResultTables) {
    const std::string sql =
        fmt::format("DELETE FROM main.{0} WHERE plan_key IN (SELECT plan_key FROM src.plans);", t.table);
    if (auto s = exec(db_, file_, sql); !s) return fail(s.error().message());
  }
  for (auto it = std::rbegin(kResultTables); it != std::rend(kResultTables); ++it) {
    const std::string sql = fmt::format("INSERT INTO main.{0} SELECT * FROM src.{0};", it->table);
    if (auto s = exec(db_, file_, sql); !s) return fail(s.error().message());
  }
  if (auto s = exec(db_, file_,
                    "INSERT INTO main.runs (started_utc, finished_utc, root, shard, protocol, jobs, discovered, "
                    "in_shard, skipped, evaluated, failed, seconds) SELECT started_utc, finished_utc, root, shard, "
                    "protocol, jobs, discovered, in_shard, skipped, evaluated, failed, seconds FROM src.runs "
                    "ORDER BY run_id;");
      !s)
    return fail(s.error().message());
  if (auto s = exec(db_, file_, "COMMIT;"); !s) return fail("commit");
  detach();
  return ok();
}

Status ResultsDb::export_csv(const std::filesystem::path& out_dir) const {
  auto plans = query_csv(db_, file_,
                         "SELECT plan_key, plan_uid, plan_label, patient_id, patient_name, status, result, n_pass, "
                         "n_minor, n_major, n_not_evaluable, missing_required, fractions, prescription_gy, protocol_id, "
                         "protocol_version, rtplan_file, rtstruct_file, rtdose_file, image_count, error, "
                         "replace(warnings, char(10), ' | ') AS warnings, input_fingerprint "
                         "FROM plans ORDER BY plan_key");
  if (!plans) return plans.error();
  auto constraints = query_csv(
      db_, file_,
      "SELECT p.plan_key, p.patient_id, p.plan_label, p.status AS plan_status, c.row_index, c.protocol_structure, "
      "c.source_protocol, c.structure, c.roi_number, c.role, c.required, c.constraint_text, c.metric, c.value, "
      "c.comparison, c.limit_value, c.minor_limit, c.unit, c.prescription_gy, c.eqd2, c.unconfirmed, c.result, "
      "c.reason FROM plans p JOIN constraint_results c ON c.plan_key = p.plan_key "
      "UNION ALL "
      "SELECT plan_key, patient_id, plan_label, status, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, "
      "NULL, NULL, NULL, NULL, NULL, NULL, NULL, 'error', error FROM plans WHERE status = 'error' "
      "ORDER BY 1, 5");
  if (!constraints) return constraints.error();
  if (auto s = write_file_atomically(out_dir / "plans.csv", *plans); !s) return s;
  return write_file_atomically(out_dir / "constraints.csv", *constraints);
}

Expected<std::string> ResultsDb::dump() const {
  std::string out;
  for (auto it = std::rbegin(kResultTables); it != std::rend(kResultTables); ++it) {
    Statement q(db_, fmt::format("SELECT * FROM {} ORDER BY {}", it->table, it->order_by));
    if (!q.prepared()) return sql_error(file_, db_, "dump");
    const int columns = sqlite3_column_count(q.get());
    int rc;
    while ((rc = q.step()) == SQLITE_ROW) {
      out += it->table;
      for (int i = 0; i < columns; ++i) out += fmt::format("|{}", dump_value(q.get(), i));
      out += "\n";
    }
    if (rc != SQLITE_DONE) return sql_error(file_, db_, "dump");
  }
  return out;
}

}  // namespace sbrtkit
