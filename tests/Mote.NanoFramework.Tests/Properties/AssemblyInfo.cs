using System.Reflection;

[assembly: AssemblyTitle("NFUnitTest")]
[assembly: AssemblyDescription("Mote runtime tests for nanoFramework (nanoFramework.TestFramework)")]
[assembly: AssemblyVersion("1.0.0.0")]
