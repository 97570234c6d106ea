package cifar10

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// archiveServer serves arc at /cifar-10-binary.tar.gz and misbehaves on
// other paths: /missing (404), /truncated (closes the connection halfway),
// /nolength (no Content-Length), /stall (sends half, then waits for the
// client to go away).
func archiveServer(t *testing.T, arc []byte) *httptest.Server {
	t.Helper()
	mux := http.NewServeMux()
	mux.HandleFunc("/"+ArchiveName, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", strconv.Itoa(len(arc)))
		w.Write(arc)
	})
	mux.HandleFunc("/missing", func(w http.ResponseWriter, r *http.Request) {
		http.NotFound(w, r)
	})
	mux.HandleFunc("/truncated", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", strconv.Itoa(len(arc)))
		w.WriteHeader(http.StatusOK)
		w.Write(arc[:len(arc)/2])
		conn, _, err := http.NewResponseController(w).Hijack()
		if err != nil {
			t.Errorf("hijack: %v", err)
			return
		}
		conn.Close()
	})
	mux.HandleFunc("/nolength", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusOK)
		w.(http.Flusher).Flush() // chunked, so no Content-Length
		w.Write(arc[:len(arc)/2])
	})
	mux.HandleFunc("/stall", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", strconv.Itoa(len(arc)))
		w.WriteHeader(http.StatusOK)
		w.Write(arc[:len(arc)/2])
		w.(http.Flusher).Flush()
		select {
		case <-r.Context().Done():
		case <-time.After(10 * time.Second):
			t.Errorf("/stall: client did not go away")
		}
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

func TestDownloadAndLoad(t *testing.T) {
	fd := makeFake(t, 20, 10)
	arc, sum := fd.archive(t)
	srv := archiveServer(t, arc)
	dataDir := filepath.Join(t.TempDir(), "new", "data") // created by Download
	var mu sync.Mutex
	var calls [][2]int64
	opt := Options{
		URL:    srv.URL + "/" + ArchiveName,
		MD5:    sum,
		Client: srv.Client(),
		Progress: func(done, total int64) {
			mu.Lock()
			calls = append(calls, [2]int64{done, total})
			mu.Unlock()
		},
	}
	train, test, err := Load(context.Background(), dataDir, opt)
	if err != nil {
		t.Fatal(err)
	}
	fd.check(t, train, test)
	if got := listDir(t, dataDir); !slices.Equal(got, []string{DirName, ArchiveName}) {
		t.Errorf("data directory holds %v, want the archive and %s", got, DirName)
	}
	got, err := os.ReadFile(filepath.Join(dataDir, ArchiveName))
	if err != nil || string(got) != string(arc) {
		t.Errorf("archive on disk differs from the served one (err %v)", err)
	}
	n := int64(len(arc))
	if len(calls) < 2 || calls[0] != [2]int64{0, n} || calls[len(calls)-1] != [2]int64{n, n} {
		t.Errorf("progress calls %v: want (0, %d) first and (%d, %d) last", calls, n, n, n)
	}
	for i := 1; i < len(calls); i++ {
		if calls[i][0] < calls[i-1][0] {
			t.Errorf("progress went backwards: %v", calls)
			break
		}
	}
}

func TestDownloadFailures(t *testing.T) {
	fd := makeFake(t, 20, 11)
	arc, sum := fd.archive(t)
	srv := archiveServer(t, arc)
	tests := []struct {
		name   string
		path   string
		md5    string
		cancel bool     // cancel the context after the first bytes arrive
		want   []string // substrings of the error
		is     error
	}{
		{"wrong MD5", "/" + ArchiveName, MD5, false, []string{"MD5 mismatch", sum, MD5}, ErrChecksum},
		{"404", "/missing", sum, false, []string{"404 Not Found"}, nil},
		{"truncated body", "/truncated", sum, false, []string{"connection broken after"}, nil},
		{"no length, short body", "/nolength", sum, false, []string{"MD5 mismatch"}, ErrChecksum},
		{"cancelled", "/stall", sum, true, []string{"canceled"}, context.Canceled},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dataDir := t.TempDir()
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			d := Downloader{URL: srv.URL + tt.path, MD5: tt.md5, Client: srv.Client()}
			if tt.cancel {
				d.Progress = func(done, total int64) {
					if done > 0 {
						cancel()
					}
				}
			}
			err := d.Download(ctx, dataDir)
			if err == nil {
				t.Fatal("Download: no error")
			}
			for _, s := range tt.want {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q does not contain %q", err, s)
				}
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("error %q is not %v", err, tt.is)
			}
			if !tt.cancel {
				hand := filepath.Join(dataDir, ArchiveName)
				if !strings.Contains(err.Error(), "put it at "+hand) {
					t.Errorf("error %q does not say to put the archive at %s", err, hand)
				}
			}
			if got := listDir(t, dataDir); len(got) != 0 {
				t.Errorf("failed download left %v in the data directory", got)
			}
		})
	}
}

func TestDownloadKeepsOldArchiveOnFailure(t *testing.T) {
	srv := archiveServer(t, []byte("new"))
	dataDir := t.TempDir()
	old := filepath.Join(dataDir, ArchiveName)
	if err := os.WriteFile(old, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := Download(context.Background(), dataDir, srv.URL+"/truncated", nil); err == nil {
		t.Fatal("no error")
	}
	if b, _ := os.ReadFile(old); string(b) != "old" {
		t.Errorf("archive is now %q, want the old one kept", b)
	}
}

func TestDownloadUnreachable(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL + "/" + ArchiveName
	srv.Close() // nothing listens there any more
	dataDir := t.TempDir()
	_, _, err := Load(context.Background(), dataDir, Options{URL: url})
	if err == nil {
		t.Fatal("no error")
	}
	want := fmt.Sprintf("download it by hand and put it at %s", filepath.Join(dataDir, ArchiveName))
	if !strings.Contains(err.Error(), want) {
		t.Errorf("error %q does not contain %q", err, want)
	}
	if n := strings.Count(err.Error(), url); n != 1 {
		t.Errorf("error %q names the address %d times, want once", err, n)
	}
	if got := listDir(t, dataDir); len(got) != 0 {
		t.Errorf("failed download left %v", got)
	}
}

func TestProgressLine(t *testing.T) {
	const mb = 1 << 20
	tests := []struct {
		done, total int64
		elapsed     time.Duration
		want        string
	}{
		{47395635, 170052171, 3675 * time.Millisecond, "cifar-10-binary.tar.gz  45.2 MB / 162.2 MB  12.3 MB/s  ETA 10s"},
		{0, 170052171, 0, "cifar-10-binary.tar.gz  0 B / 162.2 MB  -- MB/s  ETA --"},
		{2 * mb, -1, time.Second, "cifar-10-binary.tar.gz  2.0 MB  2.0 MB/s"},
		{512, 2048, time.Second, "cifar-10-binary.tar.gz  512 B / 2.0 kB  512 B/s  ETA 3s"},
		{10 * mb, 1000 * mb, time.Second, "cifar-10-binary.tar.gz  10.0 MB / 1000.0 MB  10.0 MB/s  ETA 1m39s"},
		{1 * mb, 8000 * mb, time.Second, "cifar-10-binary.tar.gz  1.0 MB / 7.8 GB  1.0 MB/s  ETA 2h13m"},
		{100, 100, time.Second, "cifar-10-binary.tar.gz  100 B / 100 B  100 B/s  ETA 0s"},
	}
	for _, tt := range tests {
		got := ProgressLine(ArchiveName, tt.done, tt.total, tt.elapsed)
		if got != tt.want {
			t.Errorf("ProgressLine(%d, %d, %v)\n got %q\nwant %q", tt.done, tt.total, tt.elapsed, got, tt.want)
		}
	}
}
