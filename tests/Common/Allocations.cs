using System;

namespace Mote.Tests.Common
{
    /// <summary>
    /// Bytes a warm call allocates on this thread, robust to the runtime's own one-off work: .NET's
    /// tiered JIT may replace a long-running loop's code on the calling thread (on-stack replacement)
    /// or load a type during the first few dozen calls, and that shows up once in the thread's
    /// allocation counter. A real allocation in the code under test happens on every call, so it shows
    /// up in every round: the result is the smallest of up to <paramref name="rounds"/> rounds of
    /// <paramref name="calls"/> calls (stopping at the first round that allocates nothing).
    /// </summary>
    public static class Allocations
    {
        public static long SteadyState(Action call, int calls, int rounds = 3)
        {
            long best = long.MaxValue;
            for (int r = 0; r < rounds && best != 0; r++)
            {
                long before = GC.GetAllocatedBytesForCurrentThread();
                for (int i = 0; i < calls; i++) call();
                best = Math.Min(best, GC.GetAllocatedBytesForCurrentThread() - before);
            }
            return best;
        }
    }
}
