// Command gensettings writes the VS Code extension's settings from
// analysis/config.Config, so that the settings VS Code shows and the keys
// rivet reads cannot disagree (STYLE 11: the settings struct is the
// documentation):
//
//   - the "contributes.configuration" block of editors/vscode/package.json:
//     one `rivet.NAME` setting per Config field (NAME is the JSON key in
//     lowerCamelCase), typed from the Go type, documented by the field's
//     comment, with the default of config.Default, enums from config's
//     value lists and one property per rule code of rules.Contract; plus
//     the extension's own settings (rivet.path, rivet.logFile,
//     rivet.trace.server);
//   - editors/vscode/src/settings.generated.ts: the table mapping each
//     server setting to rivet's JSON key, which the extension uses to build
//     initializationOptions and workspace/configuration answers.
//
// Run it from anywhere in the module after changing Config:
//
//	go generate ./editors/vscode/gensettings
//
// Its test fails while the committed files differ from what it writes.
package main

//go:generate go run .

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// Paths relative to the module root.
const (
	configDir   = "analysis/config"
	packageJSON = "editors/vscode/package.json"
	generatedTS = "editors/vscode/src/settings.generated.ts"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "gensettings:", err)
		os.Exit(1)
	}
}

func run() error {
	root, err := moduleRoot()
	if err != nil {
		return err
	}
	out, err := generate(root)
	if err != nil {
		return err
	}
	for _, f := range out {
		path := filepath.Join(root, f.path)
		old, _ := os.ReadFile(path)
		if bytes.Equal(old, f.data) {
			continue
		}
		if err := os.WriteFile(path, f.data, 0o644); err != nil {
			return err
		}
		fmt.Println("wrote", f.path)
	}
	return nil
}

// file is one generated file: its path relative to the module root and
// its contents.
type file struct {
	path string
	data []byte
}

// generate returns the new package.json and settings.generated.ts of the
// module at root.
func generate(root string) ([]file, error) {
	docs, err := parseFieldDocs(filepath.Join(root, configDir))
	if err != nil {
		return nil, err
	}
	settings, err := allSettings(docs)
	if err != nil {
		return nil, err
	}
	pkg, err := os.ReadFile(filepath.Join(root, packageJSON))
	if err != nil {
		return nil, err
	}
	conf, err := configurationJSON(settings)
	if err != nil {
		return nil, err
	}
	pkg, err = setContribution(pkg, "configuration", conf)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", packageJSON, err)
	}
	return []file{
		{packageJSON, pkg},
		{generatedTS, typescript(settings)},
	}, nil
}

// moduleRoot finds the directory of rivet's go.mod from the working
// directory up.
func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		data, err := os.ReadFile(filepath.Join(dir, "go.mod"))
		if err == nil && bytes.HasPrefix(data, []byte("module github.com/rivet-lsp/rivet\n")) {
			return dir, nil
		}
		up := filepath.Dir(dir)
		if up == dir {
			return "", errors.New("not inside the rivet module")
		}
		dir = up
	}
}
