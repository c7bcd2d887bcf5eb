// composecheck loads a Compose file with compose-go, the loader of `docker compose` itself:
// schema validation against the Compose specification, interpolation of ${VAR} from an env
// file, merge keys and anchors, normalisation. It prints the resolved project as JSON (what
// `docker compose config --format json` prints) or the loader's error and exits 1. An optional
// third argument names the profiles to enable, comma-separated (`docker compose --profile`);
// without it only the services without a profile are enabled, as `docker compose up` does.
//
//	go run . ../../docker-compose.yml ../../.env.example [scale,flower]
package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/compose-spec/compose-go/v2/dotenv"
	"github.com/compose-spec/compose-go/v2/loader"
	"github.com/compose-spec/compose-go/v2/types"
)

func main() {
	if len(os.Args) != 3 && len(os.Args) != 4 {
		fmt.Fprintln(os.Stderr, "usage: composecheck COMPOSE_FILE ENV_FILE [PROFILE,...]")
		os.Exit(2)
	}
	composeFile, err := filepath.Abs(os.Args[1])
	if err != nil {
		fail(err)
	}
	env, err := dotenv.Read(os.Args[2])
	if err != nil {
		fail(err)
	}
	details := types.ConfigDetails{
		WorkingDir:  filepath.Dir(composeFile),
		ConfigFiles: []types.ConfigFile{{Filename: composeFile}},
		Environment: env,
	}
	var profiles []string
	if len(os.Args) == 4 && os.Args[3] != "" {
		profiles = strings.Split(os.Args[3], ",")
	}
	project, err := loader.LoadWithContext(context.Background(), details, loader.WithProfiles(profiles))
	if err != nil {
		fail(err)
	}
	out, err := project.MarshalJSON()
	if err != nil {
		fail(err)
	}
	fmt.Println(string(out))
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, err)
	os.Exit(1)
}
