// Package tui is mlptui's dashboard: a bubbletea program to set up a
// training run, watch it learn, steer it, and see what it learned.
//
// # Screens
//
// Tab and shift+tab go from one screen to the next; ? shows every key.
//
//   - Setup: a form of every setting of trainer.Config (trainer.Fields),
//     pre-filled from the command line. Each change is checked at once by
//     Config.Problems, the trainer's own rule, and what is wrong is shown
//     beside the field. Choosing a preset (←/→) refills the
//     hyperparameters; while none has been changed by hand, the preset
//     follows the data set. Enter starts the run; a list in a field a
//     sweep varies (lr 1e-3,1e-2) makes it a sweep, run by lab's sweep
//     executor as `mlptui sweep` runs it (the form names it first).
//   - Training: the run's data set, layer sizes, parameter count and state;
//     loss and accuracy charts (asciigraph), training against validation,
//     over the run's whole length so that they grow as it trains, with the
//     last and best values; the epoch's progress with samples per second
//     and the time left from the training throughput alone; and the event
//     log. Space pauses and continues, e edits the learning rate and
//     dropout (applied from the next step, and logged by the run with the
//     step), r restarts with the setup form's settings, s stops and saves.
//   - Predictions: test samples with their true class and the three
//     likeliest, mistakes marked ✗, refreshed at every epoch end. Images
//     are drawn with upper-half blocks (a 32×32 image is 32 columns by 16
//     rows), in true colour, 256 or 16 colours, or as a brightness ramp of
//     characters without colour; tables show their feature values. Beside
//     them, the confusion matrix of the validation set (of the test set
//     for a saved run) with each class's accuracy.
//   - Runs: the saved runs in lab's run columns (those of `mlptui runs`),
//     best validation accuracy first (o sorts by the next column), a
//     sweep's trials together, best first, and the leaderboard of the
//     session's sweep above them. Space selects runs
//     and c overlays their curves with the settings that differ; Enter
//     opens one to resume its training (r), see its predictions (p),
//     export it (e) or go on with its sweep (s).
//
// Every screen is a component (component.go): a bubbletea model with
// SetSize and a key map that bubbles/help draws as the footer and the
// help screen.
//
// # How it works
//
// Update never waits. Training runs in the trainer's goroutine; starting
// and resuming runs, reading run directories and loading data sets happen
// in commands (session.go). The run's events come through a command that
// waits on the events channel, takes every event already queued, and is
// armed again by Update no sooner than 1/15 s later: the trainer already
// coalesces progress to about ten a second and never waits for the
// dashboard, and the redraws driven by training stay under fifteen a
// second while keys are answered at once. The last events of a run are
// always read: the dashboard quits only when the channel is closed.
//
// Quitting with a live run asks first, then stops it (Run.Stop: it saves
// and measures the test set) and waits for its last event. ctrl+c, SIGINT
// and SIGTERM interrupt it instead (it saves without the test
// evaluation), and Run reports the interrupt so the command exits 130.
// Commands turn their panics into messages shown in the footer; after a
// panic in Update or View, bubbletea restores the terminal and Run stops
// and saves every run still going before it returns.
//
// Colours follow lipgloss's profile: NO_COLOR and terminals without
// colour get plain text, charts without colour codes (curves told apart
// by their characters) and pictures as characters.
package tui
