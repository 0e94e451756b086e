// Test input for the nanoFramework gate: every marked line must be reported, no other line may be.
// "expect: <text>" lists substrings, separated by " | ", that findings on that line must contain.
// Not compiled into the test project (see the .csproj); NanoCheckTests feeds it to the checker.
using System;
using System.Collections.Generic; // expect: [CS0234]
using System.Linq; // expect: [CS0234]

namespace Fixtures
{
    public static class Violations
    {
        public static int UsesList()
        {
            var list = new List<int>(); // expect: 'List<>' could not be found | generic type instantiation System.Collections.Generic.List<int>
            list.Add(1);
            return list.Count;
        }

        public static int UsesSpanAndStackalloc(byte[] data)
        {
            Span<byte> scratch = stackalloc byte[16]; // expect: 'Span<>' could not be found | opcode localloc (stackalloc) | generic type instantiation System.Span<byte>
            scratch[0] = data[0];
            return scratch[0];
        }

        public static int UsesLinq(int[] values)
        {
            return values.Where(v => v > 0).Count(); // expect: does not contain a definition for 'Where' | generic method instantiation System.Linq.Enumerable.Where<int> | generic type instantiation System.Func<int, bool>
        }

        public static float UsesExp(float x)
        {
            return (float)Math.Exp(x); // expect: float math System.Math.Exp(double)
        }

        public static long WidensToFloat(long a, long b)
        {
            return (long)Math.Max(a, b); // expect: System.Math.Max(long, long) has no integer overload
        }
    }
}
