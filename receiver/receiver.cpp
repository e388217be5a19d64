// The Storage SCP (receiver.h): an accept loop with one DcmThreadSCP thread per association storing into the spool, and
// the main loop hands every study quiet for --idle-seconds to the PlanProcessor.
#include "sbrtkit/receiver/receiver.h"

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcdatset.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcuid.h>
#include <dcmtk/dcmnet/diutil.h>
#include <dcmtk/dcmnet/assoc.h>
#include <dcmtk/dcmnet/scpthrd.h>
#include <dcmtk/oflog/oflog.h>
#include <fmt/format.h>

#include <chrono>
#include <cstdlib>
#include <condition_variable>
#include <map>
#include <mutex>
#include <thread>

#include "bind_address.h"
#include "log_line.h"
#include "plan_processor.h"
#include "spool.h"

namespace sbrtkit {
namespace fs = std::filesystem;
using receiver::log_line;

namespace {

using Clock = std::chrono::steady_clock;

/// Studies that received something, with the time of their last object.
class StudyActivity {
 public:
  void touch(const fs::path& study, Clock::time_point when = Clock::now()) {
    std::lock_guard lock(mutex_);
    last_[study] = when;
  }
  /// Removes and returns the studies quiet for at least `idle`.
  std::vector<fs::path> take_idle(Clock::duration idle) {
    std::lock_guard lock(mutex_);
    std::vector<fs::path> out;
    const auto now = Clock::now();
    for (auto it = last_.begin(); it != last_.end();) {
      if (now - it->second >= idle) {
        out.push_back(it->first);
        it = last_.erase(it);
      } else {
        ++it;
      }
    }
    return out;
  }

 private:
  std::mutex mutex_;
  std::map<fs::path, Clock::time_point> last_;
};

/// What every association thread shares (the workers are DCMTK objects built without arguments).
struct ServerContext {
  ServeOptions options;
  fs::path incoming;
  StudyActivity activity;
  std::atomic<int> open_associations{0};
};
ServerContext* g_context = nullptr;

constexpr Uint16 kStatusOutOfResources = 0xA700;      // PS3.4 B.2.3: refused, out of resources
constexpr Uint16 kStatusDataSetMismatch = 0xA900;     // error: data set does not match SOP class
constexpr Uint16 kStatusCannotUnderstand = 0xC000;    // error: cannot understand

/// One association: verification and storage of the accepted SOP classes.
class StoreWorker : public DcmThreadSCP {
 public:
  StoreWorker() = default;

 protected:
  OFCondition processAssociationRQ() override {
    ServerContext& c = *g_context;
    peer_ = fmt::format("{}@{}", getPeerAETitle().c_str(), getPeerIP().c_str());
    const int open = ++c.open_associations;
    stored_ = duplicates_ = failed_ = 0;
    accepted_ = false;
    start_ = Clock::now();
    OFCondition result;
    if (open > c.options.max_associations) {
      log_line(fmt::format("association from {} refused: {} associations are open (--max-associations {})", peer_,
                           open - 1, c.options.max_associations));
      refuseAssociation(DCMSCP_TOO_MANY_ASSOCIATIONS);
    } else {
      result = DcmThreadSCP::processAssociationRQ();
      if (accepted_)
        log_line(fmt::format("association from {} to {}: {} stored, {} duplicate, {} failed in {:.2f} s", peer_,
                             getCalledAETitle().c_str(), stored_, duplicates_, failed_,
                             std::chrono::duration<double>(Clock::now() - start_).count()));
    }
    --c.open_associations;
    return result;
  }

  void notifyAssociationAcknowledge() override { accepted_ = true; }

  OFBool checkCalledAETitleAccepted(const OFString& called) override {
    if (OFString(g_context->options.ae_title.c_str()) == called) return OFTrue;
    log_line(fmt::format("association from {} refused: called AE title '{}' is not '{}'", peer_, called.c_str(),
                         g_context->options.ae_title));
    return OFFalse;
  }

  OFBool checkCallingAETitleAccepted(const OFString& calling) override {
    const auto& allow = g_context->options.allow;
    if (allow.empty()) return OFTrue;
    const std::string ip = getPeerIP().c_str();
    for (const auto& a : allow)
      if (a.ae_title == calling.c_str() && (!a.host || *a.host == ip)) return OFTrue;
    log_line(fmt::format("association from {} refused: calling AE title '{}' from {} is not on --allow", peer_,
                         calling.c_str(), ip));
    return OFFalse;
  }

  OFCondition handleIncomingCommand(T_DIMSE_Message* message, const DcmPresentationContextInfo& info) override {
    if (message->CommandField != DIMSE_C_STORE_RQ) return DcmThreadSCP::handleIncomingCommand(message, info);
    T_DIMSE_C_StoreRQ& request = message->msg.CStoreRQ;
    DcmDataset* dataset = nullptr;
    OFCondition cond = receiveSTORERequest(request, info.presentationContextID, dataset);
    if (cond.bad()) {
      ++failed_;
      log_line(fmt::format("association from {}: C-STORE of {} not received: {}", peer_, request.AffectedSOPInstanceUID,
                           cond.text()));
      delete dataset;
      return cond;
    }
    const Uint16 status = store(request, dataset);
    delete dataset;
    return sendSTOREResponse(info.presentationContextID, request, status);
  }

 private:
  Uint16 store(const T_DIMSE_C_StoreRQ& request, DcmDataset* dataset) {
    ServerContext& c = *g_context;
    const std::string sop = request.AffectedSOPInstanceUID;
    auto refuse = [&](Uint16 status, const std::string& why) {
      ++failed_;
      log_line(fmt::format("association from {}: object {} refused (status {:04X}): {}", peer_, sop, status, why));
      return status;
    };
    if (!dataset) return refuse(kStatusCannotUnderstand, "no data set");
    const Uint32 bytes = dataset->calcElementLength(dataset->getOriginalXfer() == EXS_Unknown
                                                        ? EXS_LittleEndianExplicit : dataset->getOriginalXfer(),
                                                    EET_ExplicitLength);
    if (bytes > c.options.max_object_bytes)
      return refuse(kStatusOutOfResources, fmt::format("{} bytes, more than the limit of {} bytes (--max-object-mb)", bytes,
                                                       c.options.max_object_bytes));
    OFString class_in_data, instance_in_data;
    dataset->findAndGetOFString(DCM_SOPClassUID, class_in_data);
    dataset->findAndGetOFString(DCM_SOPInstanceUID, instance_in_data);
    if (instance_in_data != request.AffectedSOPInstanceUID || class_in_data != request.AffectedSOPClassUID)
      return refuse(kStatusDataSetMismatch,
                    fmt::format("(0008,0016)/(0008,0018) in the data set ('{}', '{}') differ from the request ('{}', '{}')",
                                class_in_data.c_str(), instance_in_data.c_str(), request.AffectedSOPClassUID, sop));
    auto place = receiver::spool_place(c.incoming, *dataset);
    if (!place) return refuse(kStatusCannotUnderstand, place.error().message());
    auto outcome = receiver::store_durably(*place, *dataset);
    if (!outcome) return refuse(kStatusOutOfResources, outcome.error().message());
    if (*outcome == receiver::StoreOutcome::duplicate) {
      ++duplicates_;  // nothing new for the study: its idle clock keeps running
    } else {
      ++stored_;
      c.activity.touch(place->study_dir);
    }
    return STATUS_Success;
  }

  std::string peer_;
  int stored_ = 0, duplicates_ = 0, failed_ = 0;
  bool accepted_ = false;
  Clock::time_point start_;
};

const char* const kStorageClasses[] = {
    UID_CTImageStorage,          UID_PositronEmissionTomographyImageStorage, UID_RTStructureSetStorage,
    UID_RTPlanStorage,           UID_RTDoseStorage,                          UID_SpatialRegistrationStorage,
    UID_SegmentationStorage,
};

class ReceiverImpl final : public Receiver {
 public:
  ReceiverImpl(ServeOptions options, receiver::PlanProcessor processor) : processor_(std::move(processor)) {
    context_.options = std::move(options);
    context_.incoming = context_.options.out_dir / "incoming";
  }
  ~ReceiverImpl() override { g_context = nullptr; }

  Status run(const std::atomic<bool>& stop) override {
    g_context = &context_;
    const ServeOptions& o = context_.options;
    if (auto s = receiver::set_listen_address(o.bind_address, o.port); !s) return s;
    // Our own accept loop with one thread per association, rather than DCMTK 3.6.7's DcmSCPPool: that pool
    // frees a worker that ends at once (a peer that connects and closes) while OFThread::start() still
    // writes to it (use after free, found with valgrind), and its destructor never returns when the port
    // cannot be bound.
    DcmSCPConfig cfg;
    cfg.setPort(o.port);
    cfg.setAETitle(o.ae_title.c_str());
    cfg.setConnectionBlockingMode(DUL_NOBLOCK);
    cfg.setConnectionTimeout(1);
    cfg.setDIMSEBlockingMode(DIMSE_NONBLOCKING);
    cfg.setDIMSETimeout(60);  // a silent peer frees its thread after a minute
    cfg.setACSETimeout(10);   // the accept loop waits at most this long for an association request
    cfg.setHostLookupEnabled(OFFalse);
    OFList<OFString> xfers;
    xfers.push_back(UID_LittleEndianExplicitTransferSyntax);
    xfers.push_back(UID_LittleEndianImplicitTransferSyntax);
    if (cfg.addPresentationContext(UID_VerificationSOPClass, xfers).bad())
      return Error::io("", "cannot configure the verification presentation context");
    for (const char* sop_class : kStorageClasses)
      if (cfg.addPresentationContext(sop_class, xfers).bad())
        return Error::io("", fmt::format("cannot configure the presentation context of {}", sop_class));
    const DcmSharedSCPConfig shared(cfg);

    T_ASC_Network* network = nullptr;
    const OFCondition init = ASC_initializeNetwork(NET_ACCEPTOR, o.port, 10, &network);
    if (init.bad()) return Error::io("", fmt::format("cannot listen on {}:{}: {}", o.bind_address, o.port, init.text()));

    // Everything already in the spool is due at once: complete plans not yet processed are processed.
    std::error_code ec;
    for (const auto& patient : fs::directory_iterator(context_.incoming, ec))
      for (const auto& study : fs::directory_iterator(patient.path(), ec))
        if (study.is_directory()) context_.activity.touch(study.path(), Clock::time_point{});  // long past

    std::mutex threads_mutex;
    std::condition_variable threads_done;
    int running = 0;
    std::atomic<bool> listening{true};
    std::thread listener([&] {
      while (listening) {
        T_ASC_Association* assoc = nullptr;
        const OFCondition c = ASC_receiveAssociation(network, &assoc, cfg.getMaxReceivePDULength(), nullptr, nullptr,
                                                     OFFalse, DUL_NOBLOCK, 1);
        if (c.good()) {
          {
            std::lock_guard lock(threads_mutex);
            ++running;
          }
          std::thread([assoc, &shared, &threads_mutex, &threads_done, &running] {
            {
              StoreWorker worker;  // refuses beyond --max-associations, drops and frees the association
              worker.setSharedConfig(shared);
              worker.run(assoc);
            }
            std::lock_guard lock(threads_mutex);
            --running;
            threads_done.notify_all();
          }).detach();
        } else if (c == DUL_NOASSOCIATIONREQUEST) {
          ASC_destroyAssociation(&assoc);
        } else {
          if (assoc) {
            ASC_dropAssociation(assoc);
            ASC_destroyAssociation(&assoc);
          }
        }
      }
    });
    log_line(fmt::format("listening on {}:{} as {} (spool {}, idle {} s, at most {} associations{})", o.bind_address,
                         o.port, o.ae_title, context_.options.out_dir.string(), o.idle_seconds, o.max_associations,
                         o.protocol ? ", protocol " + *o.protocol : std::string(", no protocol")));
    const auto idle = std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(o.idle_seconds));
    while (!stop) {
      for (const auto& study : context_.activity.take_idle(idle)) {
        if (stop) {
          context_.activity.touch(study);  // left for the next start
          break;
        }
        processor_.process_study(study);
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    listening = false;
    listener.join();
    {
      std::unique_lock lock(threads_mutex);
      threads_done.wait(lock, [&] { return running == 0; });
    }
    ASC_dropNetwork(&network);
    log_line("stopped");
    return ok();
  }

 private:
  ServerContext context_;
  receiver::PlanProcessor processor_;
};

}  // namespace

Expected<std::unique_ptr<Receiver>> Receiver::create(const ServeOptions& options) {
  if (options.out_dir.empty()) return Error::bad_argument("--out", "an output folder", "nothing");
  if (options.ae_title.empty() || options.ae_title.size() > 16)
    return Error::bad_argument("--ae-title", "an AE title of 1 to 16 characters", options.ae_title);
  if (options.max_associations < 1)
    return Error::bad_argument("--max-associations", "at least 1", std::to_string(options.max_associations));
  if (!(options.idle_seconds >= 0))
    return Error::bad_argument("--idle-seconds", "a number of seconds >= 0", std::to_string(options.idle_seconds));
  std::error_code ec;
  fs::create_directories(options.out_dir / "incoming", ec);
  if (ec) return Error::io((options.out_dir / "incoming").string(), "cannot create folder: " + ec.message());
  fs::create_directories(options.out_dir / "results", ec);
  auto processor = receiver::PlanProcessor::create(options.out_dir, options.protocol);
  if (!processor) return processor.error();
  // DCMTK leaves Nagle's algorithm on unless TCP_NODELAY is set: with the peer's delayed ACKs every small
  // C-STORE response then waits ~40 ms (measured: 67 CT objects in 3.9 s instead of 0.5 s on loopback).
  ::setenv("TCP_NODELAY", "1", 0);
  // DCMTK's own log stays at warnings: the receiver writes its own line per association and plan.
  OFLog::configure(OFLogger::WARN_LOG_LEVEL);
  return std::unique_ptr<Receiver>(new ReceiverImpl(options, std::move(*processor)));
}

}  // namespace sbrtkit
