/* One file per subcommand (cli/<name>.c), like bpftool. */
#ifndef FP_CLI_COMMANDS_H
#define FP_CLI_COMMANDS_H

int cmd_record(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_top(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_diff(int argc, char **argv);
int cmd_serve(int argc, char **argv);

#endif
