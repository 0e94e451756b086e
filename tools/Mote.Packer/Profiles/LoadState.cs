using System;
using Mote.Runtime;

namespace Mote.Packer.Profiles
{
    /// <summary>
    /// The runtime's load-time state on this host: the bytes <c>Model.Load(blob)</c> plus
    /// <c>new Interpreter(model, arena)</c> allocate with a caller-owned arena, counted with the GC's
    /// per-thread allocation counter — the same measurement <c>mote bench</c> reports as state_bytes.
    /// The blob and the arena are allocated before counting starts, so neither is included.
    /// </summary>
    public static class LoadState
    {
        /// <summary>State bytes of <paramref name="blob"/> on 64-bit .NET (the host).</summary>
        /// <remarks>
        /// The blob is loaded once before the measured load, so process-wide one-time work (type loading,
        /// framework statics first touched on this thread) is never counted: the figure is what each load
        /// of this model costs, the same in every process and test order.
        /// </remarks>
        public static long Measure(byte[] blob, int arenaBytes)
        {
            if (blob == null) throw new ArgumentNullException(nameof(blob));
            var arena = new byte[arenaBytes];
            GC.KeepAlive(new Interpreter(Model.Load(blob), arena));
            // The smallest of three loads (as mote bench): runtime work on this thread can only add bytes.
            long state = long.MaxValue;
            for (int k = 0; k < 3; k++)
            {
                long before = GC.GetAllocatedBytesForCurrentThread();
                var interpreter = new Interpreter(Model.Load(blob), arena);
                state = Math.Min(state, GC.GetAllocatedBytesForCurrentThread() - before);
                GC.KeepAlive(interpreter);
            }
            return state;
        }

        /// <summary>Host state scaled to a profile's runtime (rounded up to whole bytes).</summary>
        public static long Scale(long hostStateBytes, double factor) => (long)Math.Ceiling(hostStateBytes * factor);
    }
}
