#!/usr/bin/env python3
"""End-to-end tests of `sbrtkit serve` with real DICOM peers (DCMTK storescu/echoscu, Orthanc), loopback only.

    serve_test.py <sbrtkit binary> <case>     cases: send, allow, escape, kill, malformed, orthanc, load

Each case picks free ports, runs the server in a temporary folder and bounds every wait. The truth for the
results is `sbrtkit check` / `sbrtkit qa` run directly on the phantom's files, and for the spool the sent
files themselves (the data set after the file meta header must arrive byte for byte).
"""
import hashlib, json, os, shutil, signal, socket, sqlite3, struct, subprocess, sys, tempfile, time

SBRTKIT = sys.argv[1]
CASE = sys.argv[2]
TMP = tempfile.mkdtemp(prefix="sbrtkit-serve-")


def fail(msg):
    print("FAIL:", msg)
    sys.exit(1)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(predicate, seconds, what):
    end = time.time() + seconds
    while time.time() < end:
        if predicate():
            return
        time.sleep(0.2)
    fail(f"timed out after {seconds} s waiting for {what}")


def listening(port):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


class Server:
    def __init__(self, out, port, *extra):
        self.log_path = os.path.join(TMP, f"serve-{port}-{time.time_ns()}.log")
        self.log = open(self.log_path, "w")
        self.proc = subprocess.Popen([SBRTKIT, "serve", "--out", out, "--port", str(port), *extra],
                                     stderr=self.log, stdout=self.log)
        wait_for(lambda: listening(port) or self.proc.poll() is not None, 20, "the server to listen")
        if self.proc.poll() is not None:
            fail("server exited: " + self.text())

    def text(self):
        self.log.flush()
        return open(self.log_path).read()

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        try:
            rc = self.proc.wait(30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            fail("server did not stop within 30 s of SIGTERM")
        if rc != 0:
            fail(f"server exit code {rc} after SIGTERM: " + self.text())


def phantom():
    out = os.path.join(TMP, "patient")
    subprocess.run([SBRTKIT, "phantom", "--out", out, "--size", "small", "--seed", "1"], check=True,
                   stdout=subprocess.DEVNULL)
    planning = os.path.join(out, "planning")
    cts = sorted(os.path.join(planning, "ct", f) for f in os.listdir(os.path.join(planning, "ct")))
    rt = [os.path.join(planning, f) for f in ("rtstruct.dcm", "rtplan.dcm", "rtdose.dcm")]
    return planning, cts, rt


def storescu(port, files, aet="PLANNING", aec="SBRTKIT", check=True, *options):
    r = subprocess.run(["storescu", "-v", *options, "-aet", aet, "-aec", aec, "127.0.0.1", str(port), *files],
                       capture_output=True, text=True, timeout=300)
    if check and r.returncode != 0:
        fail(f"storescu exit {r.returncode}: {r.stderr[-2000:]}")
    return r


def dataset_hash(path):
    """sha256 of the data set after the file meta group: what the sender sent, byte for byte."""
    b = open(path, "rb").read()
    if b[128:132] != b"DICM" or b[132:136] != b"\x02\x00\x00\x00":
        fail(f"{path}: not a DICOM file with a meta group length")
    n = struct.unpack("<I", b[140:144])[0]
    return hashlib.sha256(b[144 + n:]).hexdigest()


def sop_uid(path):
    r = subprocess.run(["dcmdump", "-q", "+P", "0008,0018", path], capture_output=True, text=True, check=True)
    return r.stdout.split("[", 1)[1].split("]", 1)[0]


def spool_files(out):
    found = []
    for root, _, files in os.walk(os.path.join(out, "incoming")):
        found += [os.path.join(root, f) for f in files]
    return found


def result_dirs(out):
    base = os.path.join(out, "results")
    dirs = []
    for patient in sorted(os.listdir(base)) if os.path.isdir(base) else []:
        for plan in sorted(os.listdir(os.path.join(base, patient))):
            dirs.append(os.path.join(base, patient, plan))
    return dirs


def processed(out):
    return [d for d in result_dirs(out) if os.path.exists(os.path.join(d, "inputs.txt"))]


def db_plans(out):
    db = sqlite3.connect(os.path.join(out, "results.sqlite"))
    try:
        return db.execute("SELECT plan_key, status FROM plans").fetchall()
    finally:
        db.close()


def compare_with_direct(planning, result_dir, protocol):
    """check.json and qa.json rows equal those of `sbrtkit check` / `sbrtkit qa` run on the sent files."""
    direct_check = json.loads(subprocess.run([SBRTKIT, "check", planning, "--protocol", protocol, "--format", "json"],
                                             capture_output=True, text=True).stdout)
    direct_qa = json.loads(subprocess.run([SBRTKIT, "qa", planning, "--format", "json"], capture_output=True,
                                          text=True, check=True).stdout)
    served_check = json.load(open(os.path.join(result_dir, "check.json")))
    served_qa = json.load(open(os.path.join(result_dir, "qa.json")))
    for key in ("rows", "summary", "protocol", "plan"):
        if served_check.get(key) != direct_check.get(key):
            fail(f"check.json '{key}' differs from `sbrtkit check`:\n{served_check.get(key)}\n{direct_check.get(key)}")
    for key in ("targets", "fractions", "body"):
        if served_qa.get(key) != direct_qa.get(key):
            fail(f"qa.json '{key}' differs from `sbrtkit qa`:\n{served_qa.get(key)}\n{direct_qa.get(key)}")
    if not served_check["rows"] or not served_qa["targets"]:
        fail("empty check rows or qa targets: nothing was compared")
    html = open(os.path.join(result_dir, "report.html")).read()
    if "<html" not in html.lower():
        fail("report.html is not an HTML page")


def expect_processed_once(out, log_text):
    plans = processed(out)
    if len(plans) != 1:
        fail(f"expected one processed plan, found {plans}")
    rows = db_plans(out)
    if len(rows) != 1 or rows[0][1] != "evaluated":
        fail(f"results.sqlite plans: {rows}")
    if log_text.count(": processed in ") != 1:
        fail("the plan was processed more than once (log):\n" + log_text)
    return plans[0]


def case_send():
    planning, cts, rt = phantom()
    out, port = os.path.join(TMP, "out"), free_port()
    s = Server(out, port, "--idle-seconds", "1", "--protocol", "tg101-3fx")
    if subprocess.run(["echoscu", "-aec", "SBRTKIT", "127.0.0.1", str(port)], timeout=30).returncode != 0:
        fail("C-ECHO failed")
    sent = cts + rt
    storescu(port, sent)
    last_object = time.time()
    storescu(port, rt)  # the same SOP instances again: stored once, the plan is not re-run
    wait_for(lambda: processed(out), 120, "the plan's results")
    latency = time.time() - last_object  # --idle-seconds 1 + check, qa and report (reported, not asserted)
    time.sleep(2)
    s.stop()
    stored = {os.path.basename(p)[:-4]: p for p in spool_files(out)}
    if len(stored) != len(sent) or len(spool_files(out)) != len(sent):
        fail(f"{len(spool_files(out))} files in the spool for {len(sent)} objects sent")
    for f in sent:
        uid = sop_uid(f)
        if uid not in stored or dataset_hash(stored[uid]) != dataset_hash(f):
            fail(f"{f}: not stored byte for byte (SOP {uid})")
    result = expect_processed_once(out, s.text())
    compare_with_direct(planning, result, "tg101-3fx")
    if "3 duplicate" not in s.text():
        fail("the re-sent objects were not logged as duplicates:\n" + s.text())
    print(f"ok: {len(sent)} objects stored and verified, results equal `sbrtkit check`/`qa`; "
          f"results {latency:.1f} s after the last object (idle 1 s)")


def case_resend():
    planning, cts, rt = phantom()
    out, port = os.path.join(TMP, "out"), free_port()
    s = Server(out, port, "--idle-seconds", "1", "--protocol", "tg101-3fx")
    storescu(port, cts + rt)
    wait_for(lambda: processed(out), 120, "the first results")
    # The planning system re-sends the plan with a new dose: 10 % more everywhere, a new SOP instance.
    new_dose = os.path.join(TMP, "rtdose_v2.dcm")
    shutil.copy(rt[2], new_dose)
    scaling = float(subprocess.run(["dcmdump", "-q", "+P", "3004,000e", new_dose], capture_output=True, text=True,
                                   check=True).stdout.split("[", 1)[1].split("]", 1)[0])
    subprocess.run(["dcmodify", "-nb", "-gin", "-m", f"(3004,000e)={scaling * 1.1:.10g}", new_dose], check=True,
                   capture_output=True)
    storescu(port, [new_dose])
    result = processed(out)[0]
    wait_for(lambda: os.path.exists(os.path.join(result, "previous", "1", "inputs.txt"))
             and os.path.exists(os.path.join(result, "inputs.txt")), 120, "the re-run with the new dose")
    time.sleep(1)
    s.stop()
    if len(db_plans(out)) != 1:
        fail(f"results.sqlite: {db_plans(out)}")
    old_qa = json.load(open(os.path.join(result, "previous", "1", "qa.json")))
    new_qa = json.load(open(os.path.join(result, "qa.json")))
    direct = json.loads(subprocess.run([SBRTKIT, "qa", "--rtstruct", rt[0], "--rtdose", new_dose, "--rtplan", rt[1],
                                        "--format", "json"], capture_output=True, text=True, check=True).stdout)
    if new_qa["targets"] != direct["targets"] or new_qa["targets"] == old_qa["targets"]:
        fail("the re-run did not evaluate the new dose")
    if s.text().count(": processed in ") != 2:
        fail("expected two processing lines:\n" + s.text())
    print("ok: the re-sent plan was re-run on the new dose, the first results kept in previous/1/")


def case_badargs():
    out = os.path.join(TMP, "out")
    for args, names in ((["--allow", "@host"], "--allow"), (["--allow", "SEVENTEEN_CHARS_X"], "--allow"),
                        (["--port", "0"], "--port"), (["--bind", "localhost"], "--bind"),
                        (["--max-associations", "0"], "--max-associations"), (["--protocol", "no-such-protocol"],
                                                                               "no-such-protocol")):
        r = subprocess.run([SBRTKIT, "serve", "--out", out, "--port", str(free_port()), *args], capture_output=True,
                           text=True, timeout=30)
        if r.returncode != 2 or names not in r.stderr:
            fail(f"serve {args}: exit {r.returncode}, stderr '{r.stderr}' (expected 2 naming {names})")
    port = free_port()
    s = Server(out, port)
    r = subprocess.run([SBRTKIT, "serve", "--out", os.path.join(TMP, "out2"), "--port", str(port)],
                       capture_output=True, text=True, timeout=30)
    s.stop()
    if r.returncode != 2 or f"cannot listen on 127.0.0.1:{port}" not in r.stderr:
        fail(f"a second server on a busy port: exit {r.returncode}, stderr '{r.stderr}'")
    print("ok: bad arguments and a busy port exit 2 naming the option")


def case_limits():
    planning, cts, rt = phantom()
    out, port = os.path.join(TMP, "out"), free_port()
    # 0.01 MB: a CT slice of the small phantom (about 34 kB) is over the limit, an RTPLAN (a few kB) is not.
    s = Server(out, port, "--max-associations", "1", "--max-object-mb", "0.01")
    r = storescu(port, [cts[0], rt[1]], "PLANNING", "SBRTKIT", False, "--no-halt")
    if "Received Store Response (Refused: OutOfResources)" not in r.stdout + r.stderr:
        fail("an object over --max-object-mb was not refused with A700:\n" + r.stdout + r.stderr)
    # One long association (many C-ECHOs) holds the only slot; a second one is refused meanwhile.
    holder = subprocess.Popen(["echoscu", "-aec", "SBRTKIT", "--repeat", "100000", "127.0.0.1", str(port)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(1)
    r = subprocess.run(["echoscu", "-aec", "SBRTKIT", "127.0.0.1", str(port)], capture_output=True, text=True,
                       timeout=30)
    holder.kill()
    holder.wait()
    s.stop()
    if r.returncode == 0 or "Local Limit Exceeded" not in r.stdout + r.stderr:
        fail("a second association beyond --max-associations 1 was not refused: " + r.stdout + r.stderr)
    log = s.text()
    if "more than the limit of 10485 bytes" not in log or "associations are open (--max-associations 1)" not in log:
        fail("limits not logged:\n" + log)
    if len(spool_files(out)) != 1:
        fail(f"expected only the RTPLAN in the spool: {spool_files(out)}")
    print("ok: object over the size limit refused with A700, association beyond the limit refused, both logged")


def case_allow():
    planning, cts, rt = phantom()
    out, port = os.path.join(TMP, "out"), free_port()
    s = Server(out, port, "--allow", "PLANNING@127.0.0.1", "--allow", "OTHER")
    r = storescu(port, cts[:1], aet="INTRUDER", check=False)
    if r.returncode == 0 or "Calling AE Title Not Recognized" not in (r.stdout + r.stderr):
        fail("an AE not on --allow was not refused with 'calling AE title not recognized': " + r.stderr)
    r = storescu(port, cts[:1], aet="PLANNING", aec="WRONG", check=False)
    if r.returncode == 0 or "Called AE Title Not Recognized" not in (r.stdout + r.stderr):
        fail("a wrong called AE title was not refused: " + r.stderr)
    storescu(port, cts[:1], aet="PLANNING")
    s.stop()
    log = s.text()
    if "calling AE title 'INTRUDER' from 127.0.0.1 is not on --allow" not in log or "called AE title 'WRONG'" not in log:
        fail("refusals not logged:\n" + log)
    if len(spool_files(out)) != 1:
        fail(f"expected only the allowed object in the spool, found {spool_files(out)}")
    print("ok: refused INTRUDER and called AE WRONG, accepted PLANNING@127.0.0.1")


def case_escape():
    planning, cts, rt = phantom()
    bad = os.path.join(TMP, "bad.dcm")
    shutil.copy(cts[0], bad)
    subprocess.run(["dcmodify", "-nb", "-m", "(0010,0020)=../../x", bad], check=True, capture_output=True)
    out, port = os.path.join(TMP, "spool", "out"), free_port()
    s = Server(out, port)
    storescu(port, [bad])
    s.stop()
    files = spool_files(out)
    incoming = os.path.realpath(os.path.join(out, "incoming"))
    if len(files) != 1 or not os.path.realpath(files[0]).startswith(incoming + os.sep):
        fail(f"PatientID ../../x stored outside the spool: {files}")
    patient_folder = os.path.relpath(files[0], incoming).split(os.sep)[0]
    if ".." in patient_folder or patient_folder.startswith("."):
        fail(f"patient folder '{patient_folder}' is not path-safe")
    stray = [p for p in os.listdir(os.path.join(TMP, "spool")) if p != "out"]
    if stray:
        fail(f"something written next to the output folder: {stray}")
    print(f"ok: PatientID ../../x stored as {patient_folder}/")


def case_kill():
    planning, cts, rt = phantom()
    out, port = os.path.join(TMP, "out"), free_port()
    s = Server(out, port, "--idle-seconds", "1", "--protocol", "tg101-3fx")
    sender = subprocess.Popen(["storescu", "-v", "-aet", "PLANNING", "-aec", "SBRTKIT", "127.0.0.1", str(port), *cts],
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    wait_for(lambda: len(spool_files(out)) >= 10, 60, "10 objects in the spool")
    s.proc.send_signal(signal.SIGKILL)
    s.proc.wait(10)
    acknowledged = sender.communicate(timeout=60)[0].count("Received Store Response (Success)")
    if not 0 < acknowledged < len(cts):
        fail(f"the kill did not land in the middle of the series ({acknowledged} of {len(cts)} acknowledged)")
    kept = [p for p in spool_files(out) if p.endswith(".dcm") and not os.path.basename(p).startswith(".")]
    if len(kept) < acknowledged:
        fail(f"{acknowledged} objects acknowledged but only {len(kept)} in the spool after SIGKILL")
    for p in kept:
        if subprocess.run(["dcmftest", p], capture_output=True).returncode != 0:
            fail(f"{p}: a truncated object under its final name")
    s2 = Server(out, port, "--idle-seconds", "1", "--protocol", "tg101-3fx")
    storescu(port, cts + rt)
    wait_for(lambda: processed(out), 120, "the plan's results after the restart")
    time.sleep(3)
    s2.stop()
    if len([p for p in spool_files(out) if not os.path.basename(p).startswith(".")]) != len(cts) + len(rt):
        fail("spool incomplete after the re-send")
    result = expect_processed_once(out, s.text() + s2.text())
    if os.path.exists(os.path.join(result, "previous")):
        fail("a previous version exists: the plan was processed twice")
    # A restart with nothing new processes nothing again.
    s3 = Server(out, port, "--idle-seconds", "1", "--protocol", "tg101-3fx")
    time.sleep(3)
    s3.stop()
    if ": processed in " in s3.text():
        fail("an already processed plan was processed again on restart")
    print(f"ok: killed after {acknowledged} acknowledged objects ({len(kept)} kept); processed exactly once")


def case_malformed():
    planning, cts, rt = phantom()
    no_study = os.path.join(TMP, "no_study.dcm")
    bad_uid = os.path.join(TMP, "bad_uid.dcm")
    shutil.copy(cts[0], no_study)
    shutil.copy(cts[1], bad_uid)
    subprocess.run(["dcmodify", "-nb", "-ea", "(0020,000D)", no_study], check=True, capture_output=True)
    subprocess.run(["dcmodify", "-nb", "-m", "(0020,000E)=../../etc", bad_uid], check=True, capture_output=True)
    out, port = os.path.join(TMP, "out"), free_port()
    s = Server(out, port)
    # Port scanners connect and close without a word: the server must go on (DCMTK 3.6.7's DcmSCPPool
    # crashed on this, a use after free).
    for _ in range(30):
        socket.create_connection(("127.0.0.1", port), timeout=5).close()
        time.sleep(0.02)
    # --no-halt: storescu would otherwise end the association itself after the first failure status.
    r = storescu(port, [no_study, bad_uid, cts[2]], "PLANNING", "SBRTKIT", False, "--no-halt")
    text = r.stdout + r.stderr
    if text.count("Received Store Response (Success)") != 1 or \
            text.count("Received Store Response (Error: CannotUnderstand)") != 2:
        fail("expected two failure statuses and one success in one association:\n" + text)
    s.stop()
    if "1 stored, 0 duplicate, 2 failed" not in s.text() or "(0020,000D) StudyInstanceUID" not in s.text():
        fail("the association did not go on after the malformed objects (log):\n" + s.text())
    if len(spool_files(out)) != 1:
        fail(f"malformed objects stored: {spool_files(out)}")
    print("ok: two malformed objects refused with C000, the third stored in the same association")


def case_orthanc():
    orthanc = shutil.which("Orthanc")
    if not orthanc:
        print("SKIP: Orthanc not installed (Debian package 'orthanc')")
        sys.exit(77)
    planning, cts, rt = phantom()
    out, port = os.path.join(TMP, "out"), free_port()
    http, dicom = free_port(), free_port()
    cfg_dir = os.path.join(TMP, "orthanc")
    os.makedirs(cfg_dir)
    config = {"Name": "sbrtkit-test", "StorageDirectory": os.path.join(cfg_dir, "db"),
              "IndexDirectory": os.path.join(cfg_dir, "db"), "HttpPort": http, "DicomPort": dicom,
              "DicomAet": "ORTHANC", "RemoteAccessAllowed": False, "AuthenticationEnabled": False,
              "HttpServerEnabled": True, "DicomServerEnabled": True, "Plugins": [],
              "DicomModalities": {"sbrtkit": ["SBRTKIT", "127.0.0.1", port]}}
    json.dump(config, open(os.path.join(cfg_dir, "orthanc.json"), "w"))
    olog = open(os.path.join(cfg_dir, "orthanc.log"), "w")
    peer = subprocess.Popen([orthanc, os.path.join(cfg_dir, "orthanc.json")], stdout=olog, stderr=olog)
    try:
        wait_for(lambda: listening(http), 60, "Orthanc's HTTP port")
        base = f"http://127.0.0.1:{http}"
        for f in cts + rt:
            r = subprocess.run(["curl", "-sf", "-X", "POST", f"{base}/instances", "--data-binary", "@" + f],
                               capture_output=True, text=True, timeout=60)
            if r.returncode != 0:
                fail(f"upload of {f} to Orthanc failed: {r.stderr}")
        patients = json.loads(subprocess.run(["curl", "-sf", f"{base}/patients"], capture_output=True, text=True,
                                             check=True).stdout)
        if len(patients) != 1:
            fail(f"Orthanc holds {len(patients)} patients")
        s = Server(out, port, "--idle-seconds", "1", "--protocol", "tg101-3fx", "--allow", "ORTHANC@127.0.0.1")
        r = subprocess.run(["curl", "-sf", "-X", "POST", f"{base}/modalities/sbrtkit/store", "-d", patients[0]],
                           capture_output=True, text=True, timeout=300)
        if r.returncode != 0:
            fail(f"Orthanc's C-STORE to sbrtkit failed: {r.stdout} {r.stderr}")
        wait_for(lambda: processed(out), 120, "the plan's results")
        time.sleep(2)
        s.stop()
    finally:
        peer.terminate()
        peer.wait(30)
    if len(spool_files(out)) != len(cts) + len(rt):
        fail(f"{len(spool_files(out))} objects in the spool for {len(cts) + len(rt)} sent by Orthanc")
    result = expect_processed_once(out, s.text())
    compare_with_direct(planning, result, "tg101-3fx")
    print("ok: Orthanc sent the patient as a configured modality; results equal `sbrtkit check`/`qa`")


def case_load():
    planning, cts, rt = phantom()
    src = os.path.join(TMP, "load")
    os.makedirs(src)
    total, senders = 2000, 8
    files = []
    for i in range(total):
        dst = os.path.join(src, f"obj{i:05d}.dcm")
        shutil.copy(cts[i % len(cts)], dst)
        files.append(dst)
    # New SOP instance UIDs (and one new series per copy round) in one dcmodify call per chunk.
    for k in range(0, total, 250):
        subprocess.run(["dcmodify", "-nb", "-gin", *files[k:k + 250]], check=True, capture_output=True)
    expected = {sop_uid_fast(f): dataset_hash(f) for f in files}
    if len(expected) != total:
        fail("the copies do not have distinct SOP instance UIDs")
    out, port = os.path.join(TMP, "out"), free_port()
    s = Server(out, port, "--max-associations", str(senders))
    start = time.time()
    # TCP_NODELAY=1: storescu, like every DCMTK peer, otherwise waits on delayed ACKs (~40 ms per object),
    # which would measure the client's Nagle algorithm rather than the receiver.
    env = dict(os.environ, TCP_NODELAY="1")
    procs = [subprocess.Popen(["storescu", "-aet", f"LOAD{j}", "-aec", "SBRTKIT", "127.0.0.1", str(port),
                               *files[j::senders]], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=env)
             for j in range(senders)]
    for p in procs:
        _, err = p.communicate(timeout=600)
        if p.returncode != 0:
            fail(f"storescu failed: {err[-1000:]}")
    seconds = time.time() - start
    s.stop()
    stored = spool_files(out)
    if len(stored) != total:
        fail(f"{len(stored)} objects in the spool for {total} sent")
    for p in stored:
        uid = os.path.basename(p)[:-4]
        if expected.get(uid) != dataset_hash(p):
            fail(f"{p}: content differs from what was sent")
    mb = sum(os.path.getsize(f) for f in files) / 1e6
    print(f"ok: {total} objects from {senders} concurrent associations stored and verified in {seconds:.1f} s: "
          f"{total / seconds:.0f} objects/s, {mb / seconds:.1f} MB/s")


def sop_uid_fast(path):
    """(0008,0018) of a file written by DCMTK in explicit little endian: scan for the tag."""
    b = open(path, "rb").read()
    i = b.find(b"\x08\x00\x18\x00UI")
    n = struct.unpack("<H", b[i + 6:i + 8])[0]
    return b[i + 8:i + 8 + n].rstrip(b"\x00 ").decode()


try:
    {"send": case_send, "resend": case_resend, "badargs": case_badargs, "limits": case_limits, "allow": case_allow, "escape": case_escape, "kill": case_kill, "malformed": case_malformed,
     "orthanc": case_orthanc, "load": case_load}[CASE]()
finally:
    shutil.rmtree(TMP, ignore_errors=True)
