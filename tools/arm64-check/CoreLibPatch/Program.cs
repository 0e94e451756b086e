// Marks every type under System.Runtime.Intrinsics.Arm of an x64 System.Private.CoreLib.dll with
// [System.Runtime.CompilerServices.Intrinsic]. In the x64 build those classes are plain
// "not supported" stubs; crossgen2 targeting arm64 only expands AdvSimd/Dp calls into NEON
// instructions when the reference it compiles against marks them as intrinsics.
// The output is a compile-time reference for crossgen2 only, never loaded at run time.
// usage: CoreLibPatch <x64 System.Private.CoreLib.dll> <output.dll>
using System;
using System.Linq;
using Mono.Cecil;

if (args.Length != 2) { Console.Error.WriteLine("usage: CoreLibPatch <in.dll> <out.dll>"); return 2; }
var module = ModuleDefinition.ReadModule(args[0], new ReaderParameters { ReadingMode = ReadingMode.Immediate });
TypeDefinition attribute = module.GetType("System.Runtime.CompilerServices.IntrinsicAttribute");
if (attribute == null) { Console.Error.WriteLine("IntrinsicAttribute not found in " + args[0]); return 1; }
MethodDefinition ctor = attribute.Methods.First(m => m.IsConstructor && !m.IsStatic && !m.HasParameters);

static string OuterNamespace(TypeDefinition t) => t.DeclaringType != null ? OuterNamespace(t.DeclaringType) : t.Namespace;

int marked = 0;
foreach (TypeDefinition type in module.GetTypes().Where(t => OuterNamespace(t) == "System.Runtime.Intrinsics.Arm"))
{
    if (type.CustomAttributes.Any(a => a.AttributeType.FullName == attribute.FullName)) continue;
    type.CustomAttributes.Add(new CustomAttribute(ctor));
    marked++;
}
// The shipped file is ReadyToRun (x64 code inside); write it back as plain, architecture-neutral IL.
module.Attributes = (module.Attributes | ModuleAttributes.ILOnly) & ~ModuleAttributes.ILLibrary;
module.Architecture = TargetArchitecture.I386;
module.Write(args[1]);
Console.WriteLine($"CoreLibPatch: {marked} Arm intrinsic types marked -> {args[1]}");
return 0;
