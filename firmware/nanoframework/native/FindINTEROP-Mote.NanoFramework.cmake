# Adds Mote's native kernels and the Mote.NanoFramework interop stubs to an nf-interpreter
# firmware build. Used through the interop mechanism of nf-interpreter's CMake: put this
# folder's files in <nf-interpreter>/InteropAssemblies/Mote.NanoFramework/ (or point
# MOTE_FIRMWARE_DIR at a Mote checkout's firmware/) and configure with
#   -DNF_INTEROP_ASSEMBLIES=Mote.NanoFramework
# (firmware/README.md, "nanoFramework"). The variables follow the FindINTEROP-<assembly>.cmake
# files the nanoFramework MetadataProcessor generates.

if(NOT MOTE_FIRMWARE_DIR)
    # default: this file lives in <mote>/firmware/nanoframework/native
    get_filename_component(MOTE_FIRMWARE_DIR "${CMAKE_CURRENT_LIST_DIR}/../.." ABSOLUTE)
endif()

set(BASE_PATH_FOR_THIS_MODULE "${CMAKE_CURRENT_LIST_DIR}")

# include directories of the interop assembly
list(APPEND Mote.NanoFramework_INCLUDE_DIRS
    "${BASE_PATH_FOR_THIS_MODULE}"
    "${MOTE_FIRMWARE_DIR}/include"
    "${MOTE_FIRMWARE_DIR}/kernels/internal"
    "${MOTE_FIRMWARE_DIR}/runner")

# the stubs, the C driver and every kernel (one public function per file)
file(GLOB MOTE_KERNEL_SOURCES "${MOTE_FIRMWARE_DIR}/kernels/*/*.c")
set(Mote.NanoFramework_SRCS
    "${BASE_PATH_FOR_THIS_MODULE}/Mote_NanoFramework.cpp"
    "${BASE_PATH_FOR_THIS_MODULE}/Mote_NanoFramework_Mote_NanoFramework_MoteNative.cpp"
    "${MOTE_FIRMWARE_DIR}/runner/mote_model.c"
    ${MOTE_KERNEL_SOURCES})

# Mote's kernels are measured with -O3 -fno-schedule-insns (firmware/Makefile); keep them so
# even in a size-optimized firmware.
set_source_files_properties(${MOTE_KERNEL_SOURCES} PROPERTIES COMPILE_OPTIONS "-O3;-fno-schedule-insns;-std=c99")

include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(Mote.NanoFramework DEFAULT_MSG Mote.NanoFramework_INCLUDE_DIRS Mote.NanoFramework_SRCS)
