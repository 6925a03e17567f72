# cmake -DDOC=<page.md> -DSOURCE=<file.cpp> -P helix_doc_snippet.cmake
# Fails unless the first ```cpp block of DOC is exactly the content of SOURCE, so a tutorial can never
# drift from the program the build compiles and the tests run.
file(READ "${DOC}" doc)
file(READ "${SOURCE}" source)
string(FIND "${doc}" "```cpp\n" begin)
if(begin EQUAL -1)
  message(FATAL_ERROR "${DOC}: no ```cpp block found")
endif()
math(EXPR begin "${begin} + 7")
string(SUBSTRING "${doc}" ${begin} -1 rest)
string(FIND "${rest}" "```" end)
string(SUBSTRING "${rest}" 0 ${end} block)
if(NOT block STREQUAL source)
  message(FATAL_ERROR "${DOC}: its first cpp block differs from ${SOURCE}; copy the file into the page")
endif()
message(STATUS "${DOC} shows ${SOURCE} exactly")
