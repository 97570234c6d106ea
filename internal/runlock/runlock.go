// Package runlock gives a directory (a run, a sweep's trial) exactly one
// writer at a time, across processes and, on a shared file system, across
// machines.
//
// A lock is a small file naming its holder: host, process id, when it was
// taken, a random token, and a heartbeat the holder refreshes while it
// works ([Lock.Keep]). It is published whole: written and synced under a
// temporary name, then hard-linked to its name, which fails if the name
// exists (the O_EXCL of a link), so no reader ever sees it empty or half
// written. Where the system has flock(2), the holder also keeps the file
// locked for as long as it holds it: the kernel drops that lock when the
// process dies however it dies, so the next taker knows at once that a lock
// of this host is stale, without guessing from process ids (which are
// reused).
//
// A lock is taken over
//   - at once when it names this host and its holder is gone (no flock on
//     it, or, where there is no flock, no process with its id);
//   - when it names another host only once its heartbeat is older than
//     [Options.StaleAfter];
//   - when it is no lock file at all (empty, damaged, an older mlptui's
//     bare process id whose process is gone).
//
// A takeover replaces the stale file by renaming a new one over it while
// holding the old one's flock, so two takers cannot both win, and a taker
// never deletes a lock it did not judge stale. [Lock.Release] removes the
// file only if it is still this holder's.
package runlock

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/mlptui/mlptui/internal/atomicfile"
)

// DefaultStaleAfter is how old another host's heartbeat must be before its
// lock is taken over.
const DefaultStaleAfter = 5 * time.Minute

// DefaultHeartbeat is how often [Lock.Keep] refreshes the heartbeat by
// default: well inside DefaultStaleAfter.
const DefaultHeartbeat = 30 * time.Second

// ErrHeld is returned, wrapped in a *HeldError, when the lock is held.
var ErrHeld = errors.New("held by another process")

// Holder is what a lock file says about who holds it.
type Holder struct {
	Host      string    `json:"host"`
	PID       int       `json:"pid"`
	Started   time.Time `json:"started"`
	Token     string    `json:"token"`
	Heartbeat time.Time `json:"heartbeat"`
}

// HeldError says who holds a lock that was refused.
type HeldError struct {
	Path   string
	Holder Holder // zero if the file could not be read
}

func (e *HeldError) Error() string {
	h := e.Holder
	if h.PID == 0 {
		return fmt.Sprintf("%s: %v", e.Path, ErrHeld)
	}
	return fmt.Sprintf("%s: held by process %d on %s since %s (heartbeat %s)", e.Path, h.PID, h.Host,
		h.Started.Local().Format("2006-01-02 15:04:05"), h.Heartbeat.Local().Format("15:04:05"))
}

// Is makes errors.Is(err, ErrHeld) true.
func (e *HeldError) Is(target error) bool { return target == ErrHeld }

// Options tune how locks are judged; the zero value is fine.
type Options struct {
	// Host is this machine's name (default Hostname()).
	Host string
	// StaleAfter is how old another host's heartbeat must be before its
	// lock is taken over (default StaleAfter()).
	StaleAfter time.Duration
	// Now is the clock (default time.Now).
	Now func() time.Time
}

// processDefaults are what the zero Host and StaleAfter of Options mean
// in this process (SetDefaults).
var processDefaults struct {
	sync.Mutex
	host       string
	staleAfter time.Duration
}

// SetDefaults sets what a zero Host and StaleAfter of Options mean in this
// process, for every lock it takes or checks (its runs' and its sweep
// trials'): a command's flag for the stale limit, or a test standing in
// for another machine. A zero field of o leaves that default as it is.
// restore puts back the defaults as they were before.
func SetDefaults(o Options) (restore func()) {
	processDefaults.Lock()
	defer processDefaults.Unlock()
	host, stale := processDefaults.host, processDefaults.staleAfter
	if o.Host != "" {
		processDefaults.host = o.Host
	}
	if o.StaleAfter > 0 {
		processDefaults.staleAfter = o.StaleAfter
	}
	return func() {
		processDefaults.Lock()
		defer processDefaults.Unlock()
		processDefaults.host, processDefaults.staleAfter = host, stale
	}
}

// Hostname is the host name this process's locks record: SetDefaults' if
// set, else os.Hostname(), else "localhost".
func Hostname() string {
	processDefaults.Lock()
	h := processDefaults.host
	processDefaults.Unlock()
	if h == "" {
		h, _ = os.Hostname()
	}
	if h == "" {
		h = "localhost"
	}
	return h
}

// StaleAfter is how old another host's heartbeat must be before this
// process takes its lock over: SetDefaults' if set, else
// DefaultStaleAfter.
func StaleAfter() time.Duration {
	processDefaults.Lock()
	d := processDefaults.staleAfter
	processDefaults.Unlock()
	if d <= 0 {
		d = DefaultStaleAfter
	}
	return d
}

func (o Options) withDefaults() Options {
	if o.Host == "" {
		o.Host = Hostname()
	}
	if o.StaleAfter <= 0 {
		o.StaleAfter = StaleAfter()
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return o
}

// Lock is a lock held by this process.
type Lock struct {
	path string
	opt  Options

	mu      sync.Mutex
	f       *os.File // the lock file, open (and flocked where there is flock)
	flocked bool     // f holds a flock
	holder  Holder
	stop    chan struct{}
	kept    sync.WaitGroup
}

// Path is the lock file.
func (l *Lock) Path() string { return l.path }

// Holder is what the lock file says (this process).
func (l *Lock) Holder() Holder {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.holder
}

// timeFormat has a fixed width, so a heartbeat rewrites the file's tail
// in place, the same length.
const timeFormat = "2006-01-02T15:04:05.000000000Z"

// encode is the lock file's content: one JSON object, the heartbeat last.
func encode(h Holder) []byte {
	host, _ := json.Marshal(h.Host)
	return []byte(fmt.Sprintf(`{"host":%s,"pid":%d,"started":"%s","token":"%s","heartbeat":"%s"}`+"\n",
		host, h.PID, h.Started.UTC().Format(timeFormat), h.Token, h.Heartbeat.UTC().Format(timeFormat)))
}

// maxLockFile bounds what is read of a lock file.
const maxLockFile = 4096

// Parse reads a lock file's content. It fails on anything but one object
// with a host, a positive process id, a start time and a token.
func Parse(b []byte) (Holder, error) {
	var h Holder
	if len(b) > maxLockFile {
		return h, fmt.Errorf("lock file of %d bytes, more than %d", len(b), maxLockFile)
	}
	if err := json.Unmarshal(b, &h); err != nil {
		return Holder{}, fmt.Errorf("not a lock file: %v", err)
	}
	switch {
	case h.Host == "" || len(h.Host) > 255:
		return Holder{}, errors.New("lock file names no host")
	case h.PID <= 0:
		return Holder{}, fmt.Errorf("lock file names process %d", h.PID)
	case !validTime(h.Started) || !validTime(h.Heartbeat):
		return Holder{}, errors.New("lock file has no start time or heartbeat (or one before 1970)")
	case len(h.Token) != 32 || strings.Trim(h.Token, "0123456789abcdef") != "":
		return Holder{}, errors.New("lock file has no token")
	}
	return h, nil
}

// validTime accepts the times a lock file can hold: from 1970 to 9999,
// in UTC.
func validTime(t time.Time) bool {
	y := t.UTC().Year()
	return y >= 1970 && y <= 9999
}

// legacyPID reads a lock file of older mlptui versions: a bare process id.
func legacyPID(b []byte) (int, bool) {
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	return pid, err == nil && pid > 0
}

func newToken() string {
	b := make([]byte, 16)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// maxAttempts bounds how often Acquire starts again when the lock file
// changes under it (released, taken over) while it looks.
const maxAttempts = 20

// Acquire takes the lock at path for this process, or returns a
// *HeldError naming its holder. The lock is held until Release.
func Acquire(path string, opt Options) (*Lock, error) {
	opt = opt.withDefaults()
	now := opt.Now()
	l := &Lock{path: path, opt: opt, holder: Holder{Host: opt.Host, PID: os.Getpid(), Started: now, Token: newToken(), Heartbeat: now}}
	for range maxAttempts {
		err := l.publish()
		if err == nil {
			removeOldTemp(path)
			return l, nil
		}
		if !errors.Is(err, os.ErrExist) {
			return nil, err
		}
		old, err := inspect(path, opt, flockRetries)
		if errors.Is(err, os.ErrNotExist) || errors.Is(err, errChanged) {
			continue // released or replaced meanwhile: look again
		}
		if err != nil {
			return nil, err
		}
		if !old.stale {
			old.close()
			return nil, &HeldError{Path: path, Holder: old.holder}
		}
		err = l.takeOver(old)
		old.close()
		if err == nil {
			removeOldTemp(path)
			return l, nil
		}
		if !errors.Is(err, errChanged) {
			return nil, err
		}
	}
	return nil, &HeldError{Path: path}
}

// errChanged says the lock file was replaced or removed while looked at.
var errChanged = errors.New("lock file changed meanwhile")

// prepare writes this holder's lock file under a temporary name beside
// path, synced and (where there is flock) locked, and returns it open.
func (l *Lock) prepare() (*os.File, error) {
	dir, base := filepath.Split(l.path)
	if dir == "" {
		dir = "."
	}
	f, err := os.CreateTemp(dir, "."+base+".tmp-*")
	if err != nil {
		return nil, fmt.Errorf("lock %s: %w", l.path, atomicfile.UnwrapPath(err))
	}
	fail := func(err error) (*os.File, error) {
		f.Close()
		os.Remove(f.Name())
		return nil, fmt.Errorf("lock %s: %w", l.path, atomicfile.UnwrapPath(err))
	}
	err = flock(f)
	if err != nil && !errors.Is(err, errNoFlock) {
		return fail(err)
	}
	l.flocked = err == nil
	if err := f.Chmod(0o644); err != nil {
		return fail(err)
	}
	if _, err := f.Write(encode(l.holder)); err != nil {
		return fail(err)
	}
	if err := f.Sync(); err != nil {
		return fail(err)
	}
	return f, nil
}

// publish creates the lock file if there is none: an error wrapping
// os.ErrExist says there is one.
func (l *Lock) publish() error {
	f, err := l.prepare()
	if err != nil {
		return err
	}
	tmp := f.Name()
	err = os.Link(tmp, l.path)
	if err != nil && !errors.Is(err, os.ErrExist) {
		// No hard links here (some network and FUSE file systems): an
		// exclusive create, then the content. A reader may see the file
		// empty for a moment; inspect counts a young empty file as held.
		os.Remove(tmp)
		f.Close()
		return l.publishExcl()
	}
	os.Remove(tmp)
	if err != nil {
		f.Close()
		return err
	}
	l.f = f
	atomicfile.SyncDir(filepath.Dir(l.path))
	return nil
}

// publishExcl creates the lock file with O_EXCL, for file systems without
// hard links.
func (l *Lock) publishExcl() error {
	f, err := os.OpenFile(l.path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		if errors.Is(err, os.ErrExist) {
			return err
		}
		return fmt.Errorf("lock %s: %w", l.path, atomicfile.UnwrapPath(err))
	}
	ferr := flock(f)
	if ferr != nil && !errors.Is(ferr, errNoFlock) {
		f.Close()
		os.Remove(l.path)
		return fmt.Errorf("lock %s: %w", l.path, ferr)
	}
	l.flocked = ferr == nil
	_, werr := f.Write(encode(l.holder))
	if werr == nil {
		werr = f.Sync()
	}
	if werr != nil {
		f.Close()
		os.Remove(l.path) // ours: just created, and locked
		return fmt.Errorf("lock %s: %w", l.path, atomicfile.UnwrapPath(werr))
	}
	l.f = f
	return nil
}

// existing is a lock file found in place, open for the time it is judged.
type existing struct {
	f      *os.File
	info   os.FileInfo
	holder Holder
	stale  bool
	locked bool // this process holds its flock
}

func (e *existing) close() {
	if e.f != nil {
		e.f.Close() // drops the flock
	}
}

// youngLock is how long an empty lock file counts as one being created
// in place (on a file system without hard links) rather than left behind.
const youngLock = 10 * time.Second

// flockRetries is how often Acquire tries a busy flock again before the
// lock counts as held: a reader (Check) or another taker judging it holds
// it for a moment.
const flockRetries = 10

// inspect opens the lock file at path and judges whether it is stale. A
// stale one is returned with its flock held (where there is flock), so no
// other taker can take it over at the same time.
func inspect(path string, opt Options, retries int) (*existing, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	e := &existing{f: f}
	noFlock := false
	for i := 0; ; i++ {
		err := flock(f)
		if err == nil {
			e.locked = true
			break
		}
		if errors.Is(err, errNoFlock) {
			noFlock = true
			break
		}
		if !errors.Is(err, errBusy) {
			f.Close()
			return nil, fmt.Errorf("lock %s: %w", path, err)
		}
		if i >= retries {
			break
		}
		time.Sleep(time.Duration(5+5*i) * time.Millisecond)
	}
	b, err := io.ReadAll(io.LimitReader(f, maxLockFile+1))
	if err == nil {
		e.info, err = f.Stat()
	}
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("lock %s: %w", path, atomicfile.UnwrapPath(err))
	}
	// The file read must still be the one at path.
	if cur, err := os.Stat(path); err != nil || !os.SameFile(cur, e.info) {
		f.Close()
		return nil, errChanged
	}
	h, perr := Parse(b)
	e.holder = h
	now := opt.Now()
	switch {
	case !e.locked && !noFlock:
		// A live process holds its flock: on this host, or on another
		// through a network file system that passes flocks on.
		e.stale = false
	case perr != nil:
		if pid, ok := legacyPID(b); ok {
			e.holder = Holder{Host: opt.Host, PID: pid, Started: e.info.ModTime(), Heartbeat: e.info.ModTime()}
			e.stale = !Alive(pid)
		} else {
			// Damaged or empty. Published whole (linked), a lock is never
			// so; created in place (publishExcl) it is empty for a moment.
			young := now.Sub(e.info.ModTime()) < youngLock
			e.stale = !young || len(b) > 0 && !noFlock
		}
	case h.Host == opt.Host:
		// This host: with flock, no holder is left (the kernel dropped
		// its flock); without, its process is gone.
		e.stale = !noFlock || !Alive(h.PID)
	default:
		hb := h.Heartbeat
		if hb.IsZero() {
			hb = h.Started
		}
		e.stale = now.Sub(hb) > opt.StaleAfter
	}
	return e, nil
}

// takeOver replaces the stale lock file old by this holder's.
func (l *Lock) takeOver(old *existing) error {
	if !old.locked {
		return l.takeOverNoFlock(old)
	}
	f, err := l.prepare()
	if err != nil {
		return err
	}
	// The old file's flock is held: no other taker is between its own
	// inspect and rename of this file, so the rename replaces exactly the
	// stale file.
	if cur, err := os.Stat(l.path); err != nil || !os.SameFile(cur, old.info) {
		f.Close()
		os.Remove(f.Name())
		return errChanged
	}
	if err := os.Rename(f.Name(), l.path); err != nil {
		f.Close()
		os.Remove(f.Name())
		return fmt.Errorf("lock %s: %w", l.path, atomicfile.UnwrapPath(err))
	}
	l.f = f
	atomicfile.SyncDir(filepath.Dir(l.path))
	return nil
}

// takeOverNoFlock takes over a stale lock where there is no flock: the
// stale file is moved aside (one taker's rename wins), checked to be the
// one judged, removed, and the lock published as new.
func (l *Lock) takeOverNoFlock(old *existing) error {
	aside := l.path + ".stale-" + l.holder.Token
	if err := os.Rename(l.path, aside); err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return errChanged
		}
		return fmt.Errorf("lock %s: %w", l.path, atomicfile.UnwrapPath(err))
	}
	st, err := os.Stat(aside)
	if err != nil || !os.SameFile(st, old.info) {
		// Another taker won and a new lock was moved: put it back.
		os.Link(aside, l.path)
		os.Remove(aside)
		return errChanged
	}
	os.Remove(aside)
	if err := l.publish(); err != nil {
		if errors.Is(err, os.ErrExist) {
			return errChanged
		}
		return err
	}
	return nil
}

// ours reports whether the file at path is still this holder's.
func (l *Lock) ours() bool {
	if l.f == nil {
		return false
	}
	st, err := os.Stat(l.path)
	if err != nil {
		return false
	}
	mine, err := l.f.Stat()
	return err == nil && os.SameFile(st, mine)
}

// Refresh rewrites the heartbeat with the time now. It fails if the lock
// is no longer this process's (another host took it over as stale).
func (l *Lock) Refresh() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.ours() {
		return fmt.Errorf("lock %s: no longer held by this process", l.path)
	}
	l.holder.Heartbeat = l.opt.Now()
	b := encode(l.holder)
	if _, err := l.f.WriteAt(b, 0); err != nil {
		return fmt.Errorf("lock %s: %w", l.path, atomicfile.UnwrapPath(err))
	}
	if err := l.f.Truncate(int64(len(b))); err != nil {
		return fmt.Errorf("lock %s: %w", l.path, atomicfile.UnwrapPath(err))
	}
	return nil
}

// Keep refreshes the heartbeat every interval (DefaultHeartbeat if 0)
// until Release.
func (l *Lock) Keep(every time.Duration) {
	if every <= 0 {
		every = DefaultHeartbeat
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.stop != nil || l.f == nil {
		return
	}
	l.stop = make(chan struct{})
	stop := l.stop
	l.kept.Add(1)
	go func() {
		defer l.kept.Done()
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
				l.Refresh() // a failure shows in the next taker's judgement
			}
		}
	}()
}

// Release gives the lock up: the file is removed if it is still this
// holder's (never another's). Release is safe to call more than once.
func (l *Lock) Release() error {
	l.mu.Lock()
	stop := l.stop
	l.stop = nil
	l.mu.Unlock()
	if stop != nil {
		close(stop)
		l.kept.Wait()
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.f == nil {
		return nil
	}
	if !l.ours() {
		l.f.Close()
		l.f = nil
		return fmt.Errorf("release %s: taken over by another process; left in place", l.path)
	}
	// Removed while its flock is held: a taker that opened it just before
	// finds it gone (inspect's SameFile check) and looks again. Without
	// flock it is closed first: some systems (Windows) cannot remove an
	// open file.
	if !l.flocked {
		l.f.Close()
	}
	var err error
	if rerr := os.Remove(l.path); rerr != nil && !errors.Is(rerr, os.ErrNotExist) {
		err = fmt.Errorf("release %s: %w", l.path, atomicfile.UnwrapPath(rerr))
	}
	if l.flocked {
		l.f.Close()
	}
	l.f = nil
	return err
}

// State is what Check finds of a lock.
type State int

// The states of a lock.
const (
	Free  State = iota // no lock file
	Held               // held by a live holder (or one whose heartbeat is fresh)
	Stale              // a lock file its holder left behind
)

func (s State) String() string {
	switch s {
	case Free:
		return "free"
	case Held:
		return "held"
	case Stale:
		return "stale"
	}
	return "State(" + strconv.Itoa(int(s)) + ")"
}

// Check says whether the lock at path is held, and by whom, without
// taking it.
func Check(path string, opt Options) (State, Holder, error) {
	opt = opt.withDefaults()
	for range maxAttempts {
		e, err := inspect(path, opt, 0) // busy is held: a reader need not wait
		if errors.Is(err, os.ErrNotExist) {
			return Free, Holder{}, nil
		}
		if errors.Is(err, errChanged) {
			continue
		}
		if err != nil {
			return Free, Holder{}, err
		}
		e.close()
		if e.stale {
			return Stale, e.holder, nil
		}
		return Held, e.holder, nil
	}
	return Held, Holder{}, nil
}

// RemoveTemp removes what dead writers left in dir: the temporary files
// of atomic writes of the given names (".NAME.tmp-*"). Only the holder of
// dir's lock may call it: the files are then nobody's.
func RemoveTemp(dir string, names ...string) error {
	var errs []error
	for _, name := range names {
		matches, _ := filepath.Glob(filepath.Join(dir, "."+globEscape(name)+".tmp-*"))
		for _, m := range matches {
			if err := os.Remove(m); err != nil && !errors.Is(err, os.ErrNotExist) {
				errs = append(errs, err)
			}
		}
	}
	return errors.Join(errs...)
}

func globEscape(s string) string {
	r := strings.NewReplacer(`*`, `\*`, `?`, `\?`, `[`, `\[`, `\`, `\\`)
	return r.Replace(s)
}

// removeOldTemp removes the temporary files of lock files at path that
// takers left behind when they died between writing and linking them.
// Young ones may be another taker's at work, and are left alone.
func removeOldTemp(path string) {
	matches, _ := filepath.Glob(filepath.Join(filepath.Dir(path), "."+globEscape(filepath.Base(path))+".tmp-*"))
	for _, m := range matches {
		if st, err := os.Stat(m); err == nil && time.Since(st.ModTime()) > time.Minute {
			os.Remove(m)
		}
	}
}

// The outcomes of flock other than success.
var (
	errBusy    = errors.New("flock held")
	errNoFlock = errors.New("no flock on this file system")
)
