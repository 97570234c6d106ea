//go:build unix

package imagefolder

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestSymlinkedClassFolder: a class folder that is a symbolic link to a
// folder elsewhere is followed, its images loaded under the link's path.
func TestSymlinkedClassFolder(t *testing.T) {
	root := filepath.Join(t.TempDir(), "pets")
	elsewhere := filepath.Join(t.TempDir(), "dog-photos")
	for i := range 4 {
		writeFile(t, filepath.Join(root, "cat", string(rune('a'+i))+".png"), encodePNG(t, pattern(8, 8, byte(i))))
		writeFile(t, filepath.Join(elsewhere, string(rune('a'+i))+".png"), encodePNG(t, pattern(8, 8, byte(100+i))))
	}
	writeFile(t, filepath.Join(elsewhere, ".hidden.png"), []byte("not an image"))
	if err := os.Symlink(elsewhere, filepath.Join(root, "dog")); err != nil {
		t.Fatal(err)
	}
	train, test, info, err := Load(context.Background(), root, Options{TestSplit: 0.25, Seed: 1})
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if strings.Join(train.Classes, ",") != "cat,dog" || info.Images != 8 || train.Len()+test.Len() != 8 {
		t.Errorf("classes %v, %d images (train %d, test %d); want cat,dog and 8", train.Classes, info.Images, train.Len(), test.Len())
	}
	dogs := 0
	for _, y := range append(train.Y, test.Y...) {
		if y == 1 {
			dogs++
		}
	}
	if dogs != 4 {
		t.Errorf("%d dog images, want the 4 the link leads to", dogs)
	}
}
