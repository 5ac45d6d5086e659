# gdb's extended-remote mode (`target extended-remote`): `kill` leaves the server serving,
# and `run` starts the program again (vRun) after a kill and after its exit, with the
# environment and the working directory gdb was told to give it (QEnvironmentHexEncoded,
# QEnvironmentUnset, QSetWorkingDir), which the program's own getenv and
# get_current_dir_name then show.
break work
continue
kill
run
print n
continue
continue
set environment GDBSERVER_SCENARIO=extended
unset environment HOME
set cwd /
run
print ((char *(*)(const char *)) getenv)("GDBSERVER_SCENARIO")
print ((char *(*)(const char *)) getenv)("HOME")
print ((char *(*)(void)) get_current_dir_name)()
kill
