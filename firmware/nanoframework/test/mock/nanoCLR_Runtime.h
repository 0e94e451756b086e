// mock: see nanoCLR_Interop.h
