# Runs one golden case in one format: `cmake -P golden_runner.cmake` with
#   -DOPGUARD=<opguard binary> -DSOURCE_DIR=<repo root> -DCASE_DIR=<tests/golden/CASE>
#   -DFORMAT=text|json|sarif|junit|github|markdown|gitlab -DACTUAL_DIR=<where to leave the actual
#   output on a mismatch> [-DEXTRA_RULES=<rule file>]
#
# With EXTRA_RULES the case runs with `--rules <rule file>` added and must still print what
# its expected files hold (a rule for another operation changes no report); such a run
# never writes expected files.
#
# A case folder holds:
#   plan.json                 the plan (or plan.txt: one path relative to the repo root)
#   inventory/                saved API responses (or inventory.txt: paths relative to the
#                             repo root, one a line; blank lines and # comments ignored)
#   args.txt                  more arguments for `check`, one a line (optional; blank lines
#                             and # comments ignored; paths relative to the repo root), e.g.
#                             --waivers / tests/golden/CASE/waivers.json / --today / 2026-06-01
#   expected.txt              standard output of `--format text`
#   expected.json             standard output of `--format json`
#   expected.sarif            standard output of `--format sarif`
#   expected.xml              standard output of `--format junit`
#   expected.github           standard output of `--format github`
#   expected.md               standard output of `--format markdown`
#   expected.gitlab.json      standard output of `--format gitlab`
#   expected.exit             the exit code
#   expected.stderr           standard error (optional; without it stderr must be empty)
#
# opguard runs from the repo root with relative paths, so the paths in its output are
# stable. Outputs are compared byte for byte. With OPGUARD_GOLDEN_UPDATE=1 in the
# environment the expected files are (re)written from the actual run instead: read them
# before committing.
cmake_minimum_required(VERSION 3.25)

foreach(var OPGUARD SOURCE_DIR CASE_DIR FORMAT ACTUAL_DIR)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "golden_runner: -D${var}=... is required")
  endif()
endforeach()
get_filename_component(case_name "${CASE_DIR}" NAME)
file(RELATIVE_PATH case_rel "${SOURCE_DIR}" "${CASE_DIR}")

# Non-empty, non-comment lines of a file.
function(read_lines file out)
  file(STRINGS "${file}" raw)
  set(lines "")
  foreach(line IN LISTS raw)
    string(STRIP "${line}" line)
    if(line STREQUAL "" OR line MATCHES "^#")
      continue()
    endif()
    list(APPEND lines "${line}")
  endforeach()
  set(${out} "${lines}" PARENT_SCOPE)
endfunction()

if(EXISTS "${CASE_DIR}/plan.json")
  set(plan "${case_rel}/plan.json")
elseif(EXISTS "${CASE_DIR}/plan.txt")
  read_lines("${CASE_DIR}/plan.txt" plan)
else()
  message(FATAL_ERROR "golden case ${case_name}: no plan.json or plan.txt in ${CASE_DIR}")
endif()

set(inventory_args "")
if(IS_DIRECTORY "${CASE_DIR}/inventory")
  list(APPEND inventory_args -i "${case_rel}/inventory")
elseif(EXISTS "${CASE_DIR}/inventory.txt")
  read_lines("${CASE_DIR}/inventory.txt" paths)
  foreach(p IN LISTS paths)
    list(APPEND inventory_args -i "${p}")
  endforeach()
else()
  message(FATAL_ERROR "golden case ${case_name}: no inventory/ or inventory.txt in ${CASE_DIR}")
endif()

set(extra_args "")
if(EXISTS "${CASE_DIR}/args.txt")
  read_lines("${CASE_DIR}/args.txt" extra_args)
endif()

# Format name => file extension of its expected output.
set(ext_text txt)
set(ext_json json)
set(ext_sarif sarif)
set(ext_junit xml)
set(ext_github github)
set(ext_markdown md)
set(ext_gitlab gitlab.json)
if(NOT DEFINED ext_${FORMAT})
  message(FATAL_ERROR "golden_runner: unknown FORMAT '${FORMAT}'")
endif()
set(expected_out "${CASE_DIR}/expected.${ext_${FORMAT}}")

set(run_name "${case_name}")
if(DEFINED EXTRA_RULES)
  list(APPEND extra_args --rules "${EXTRA_RULES}")
  set(run_name "${case_name}.unrelated-rule")
endif()
set(command "${OPGUARD}" check "${plan}" ${inventory_args} ${extra_args} --format "${FORMAT}")
execute_process(
  COMMAND ${command}
  WORKING_DIRECTORY "${SOURCE_DIR}"
  OUTPUT_VARIABLE actual_out
  ERROR_VARIABLE actual_err
  RESULT_VARIABLE actual_exit)
list(JOIN command " " command_line)

if("$ENV{OPGUARD_GOLDEN_UPDATE}" STREQUAL "1" AND DEFINED EXTRA_RULES)
  return()
endif()
if("$ENV{OPGUARD_GOLDEN_UPDATE}" STREQUAL "1")
  file(WRITE "${expected_out}" "${actual_out}")
  file(WRITE "${CASE_DIR}/expected.exit" "${actual_exit}\n")
  if(NOT actual_err STREQUAL "")
    file(WRITE "${CASE_DIR}/expected.stderr" "${actual_err}")
  elseif(EXISTS "${CASE_DIR}/expected.stderr")
    file(REMOVE "${CASE_DIR}/expected.stderr")
  endif()
  message(STATUS "golden ${case_name} (${FORMAT}): expected files written; read them before committing")
  return()
endif()

set(failures "")
file(MAKE_DIRECTORY "${ACTUAL_DIR}")
find_program(DIFF diff)

# Compares `actual` with the file `expected`; on a mismatch prints the actual text and a
# diff, and appends to `failures` in the caller.
function(compare what expected actual)
  set(want "")
  set(missing FALSE)
  if(EXISTS "${expected}")
    file(READ "${expected}" want)
  elseif(NOT what STREQUAL "stderr")
    set(missing TRUE)
  endif()
  if(NOT missing AND want STREQUAL actual)
    return()
  endif()
  set(actual_file "${ACTUAL_DIR}/${run_name}.${FORMAT}.${what}")
  file(WRITE "${actual_file}" "${actual}")
  message("---- golden ${run_name} (${FORMAT}): ${what} differs; actual output (also in ${actual_file}):")
  message("${actual}")
  if(missing)
    set(failures "${failures}${what}: ${expected} is missing (write it with OPGUARD_GOLDEN_UPDATE=1)\n" PARENT_SCOPE)
    return()
  endif()
  if(DIFF)
    set(shown "${expected}")
    if(NOT EXISTS "${expected}")
      set(shown /dev/null)
    endif()
    execute_process(COMMAND "${DIFF}" -u "${shown}" "${actual_file}" OUTPUT_VARIABLE d)
    message("---- diff -u expected actual:")
    message("${d}")
  endif()
  set(failures "${failures}${what} differs from ${expected}\n" PARENT_SCOPE)
endfunction()

compare(stdout "${expected_out}" "${actual_out}")
compare(stderr "${CASE_DIR}/expected.stderr" "${actual_err}")

if(EXISTS "${CASE_DIR}/expected.exit")
  file(READ "${CASE_DIR}/expected.exit" want_exit)
  string(STRIP "${want_exit}" want_exit)
else()
  set(want_exit "<missing expected.exit>")
endif()
if(NOT want_exit STREQUAL actual_exit)
  string(APPEND failures "exit code: expected ${want_exit}, got ${actual_exit}\n")
endif()

if(NOT failures STREQUAL "")
  message(FATAL_ERROR "golden ${run_name} (${FORMAT}) failed:\n${failures}command (in ${SOURCE_DIR}): ${command_line}")
endif()
