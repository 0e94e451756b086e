using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using Mote.Packer.Profiles;
using Mote.Packer.Tests.Models;
using Mote.Runtime;
using Xunit;

namespace Mote.Packer.Tests.Profiles
{
    /// <summary>
    /// Checks the profiles' state_overhead_factor: the bytes the runtime keeps after Model.Load + new Interpreter,
    /// laid out as each runtime lays objects out, divided by the 64-bit .NET size of the same objects.
    /// The 64-bit model is first checked against the GC's own count on this host.
    /// </summary>
    public class StateFactorTests
    {
        /// <summary>Sizes of the objects reachable from an interpreter (its arena and the blob excluded) under three object layouts.</summary>
        sealed record Layouts(long CoreClr64, long Mono32, long NanoFramework);

        /// <summary>Bytes of a value-type field or array element.</summary>
        static int ValueSize(Type t) =>
            t == typeof(bool) || t == typeof(byte) || t == typeof(sbyte) ? 1
            : t == typeof(short) || t == typeof(ushort) || t == typeof(char) ? 2
            : t == typeof(long) || t == typeof(ulong) || t == typeof(double) ? 8
            : t.IsEnum ? ValueSize(Enum.GetUnderlyingType(t))
            : t.IsPrimitive ? 4
            : throw new NotSupportedException($"struct {t} in the runtime's state: extend the layout model");

        static long Align(long v, int a) => (v + a - 1) / a * a;

        /// <summary>
        /// CoreCLR x64: object = 8 (header) + 8 (method table) + fields (8-byte references), at least 24, 8-aligned;
        /// array = 24 + elements, 8-aligned. Mono on 32-bit Arm (Meadow): object = 8 + fields (4-byte references),
        /// array = 16 + elements (4-byte references), 8-aligned. nanoFramework: object = 12 × (fields + 1);
        /// array = 20 + elements (12 per reference) rounded up to 12 (nf-interpreter Execution.cpp).
        /// </summary>
        static Layouts Measure(object root, params object[] excluded)
        {
            var seen = new HashSet<object>(ReferenceEqualityComparer.Instance);
            foreach (var x in excluded) seen.Add(x);
            var stack = new Stack<object>();
            stack.Push(root);
            long clr = 0, mono = 0, nf = 0;
            while (stack.Count > 0)
            {
                var o = stack.Pop();
                if (!seen.Add(o)) continue;
                var t = o.GetType();
                if (t.IsArray)
                {
                    var a = (Array)o;
                    var et = t.GetElementType();
                    bool refs = !et.IsValueType;
                    int n = a.Length;
                    clr += Align(24 + (long)n * (refs ? 8 : ValueSize(et)), 8);
                    mono += Align(16 + (long)n * (refs ? 4 : ValueSize(et)), 8);
                    nf += Align(20 + (long)n * (refs ? 12 : ValueSize(et)), 12);
                    if (refs) foreach (var x in a) if (x != null) stack.Push(x);
                    continue;
                }
                if (t == typeof(string))
                {
                    int n = ((string)o).Length;
                    clr += Align(22 + 2L * n, 8);
                    mono += Align(14 + 2L * n, 8);
                    nf += Align(12 + n + 1, 12); // UTF-8, zero-terminated
                    continue;
                }
                long clrFields = 0, monoFields = 0;
                int fields = 0;
                for (var tt = t; tt != null && tt != typeof(object); tt = tt.BaseType)
                    foreach (var f in tt.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
                    {
                        fields++;
                        if (f.FieldType.IsValueType)
                        {
                            clrFields += ValueSize(f.FieldType);
                            monoFields += ValueSize(f.FieldType);
                        }
                        else
                        {
                            clrFields += 8;
                            monoFields += 4;
                            var v = f.GetValue(o);
                            if (v != null) stack.Push(v);
                        }
                    }
                clr += Math.Max(24, Align(16 + clrFields, 8));
                mono += Align(8 + monoFields, 8);
                nf += 12L * (fields + 1);
            }
            return new Layouts(clr, mono, nf);
        }

        static (Layouts layouts, long measured) Load(string model)
        {
            var packed = SharedModels.Pack(SharedModels.ModelPath(model));
            byte[] blob = packed.Blob;
            var arena = new byte[packed.Model.ArenaBytes];
            GC.KeepAlive(new Interpreter(Model.Load(blob), arena)); // warm: one-time process work is not per-model state
            // The smallest of three loads (as LoadState.Measure): runtime work on this thread can only add bytes.
            Interpreter interpreter = null;
            long measured = long.MaxValue;
            for (int k = 0; k < 3; k++)
            {
                long before = GC.GetAllocatedBytesForCurrentThread();
                interpreter = new Interpreter(Model.Load(blob), arena);
                measured = Math.Min(measured, GC.GetAllocatedBytesForCurrentThread() - before);
            }
            return (Measure(interpreter, blob, arena), measured);
        }

        static HardwareProfile Shipped(string id) =>
            ProfileLoader.LoadFile(Path.Combine(ProfileLoaderTests.Dir, id + ".json"));

        [SkippableTheory]
        [MemberData(nameof(SharedModels.Models), MemberType = typeof(SharedModels))]
        public void LayoutModel_CoreClr64_MatchesTheGcCount(string model)
        {
            var (layouts, measured) = Load(model);
            // What stays reachable can only be less than what was allocated; the rest is temporaries of Model.Load.
            Assert.InRange(layouts.CoreClr64, measured * 3 / 4 - 256, measured);
            // The fit check's measurement is the same one.
            var packed = SharedModels.Pack(SharedModels.ModelPath(model));
            Assert.Equal(measured, LoadState.Measure(packed.Blob, packed.Model.ArenaBytes));
        }

        [SkippableTheory]
        [MemberData(nameof(SharedModels.Models), MemberType = typeof(SharedModels))]
        public void StateOverheadFactor_CoversModelledLayout(string model)
        {
            var (l, _) = Load(model);
            foreach (var p in ProfileLoader.LoadAll(ProfileLoaderTests.Dir))
            {
                long modelled = p.Runtime switch
                {
                    Runtimes.Net8 => l.CoreClr64,
                    Runtimes.NetStandardMono => l.Mono32,
                    Runtimes.NanoFramework => l.NanoFramework,
                    _ => throw new InvalidOperationException(p.Runtime),
                };
                double ratio = (double)modelled / l.CoreClr64;
                Assert.True(ratio <= p.StateOverheadFactor,
                    $"{p.Id}: the runtime's state on {p.Runtime} models as {modelled} B = {ratio:F2} x the 64-bit {l.CoreClr64} B for {model}, "
                    + $"above state_overhead_factor {p.StateOverheadFactor}: raise it and its assumption in hardware-profiles/{p.Id}.json");
            }
        }

        [Fact]
        public void StateOverheadFactor_ByRuntime_AsDocumented()
        {
            Assert.Equal(1.0, Shipped("raspberry-pi-4").StateOverheadFactor);
            Assert.Equal(1.0, Shipped("meadow-f7v2").StateOverheadFactor); // Mono 32-bit objects are never larger than 64-bit ones
            Assert.Equal(3.0, Shipped("esp32").StateOverheadFactor);      // 12(n+1) / (16 + 4n) < 3 for objects of n int fields
        }

    }
}
