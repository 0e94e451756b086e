using System;
using Mote.Runtime;

namespace Mote.NanoFramework
{
    /// <summary>
    /// Runs a loaded <see cref="Model"/> with the firmware's native kernels when it can, and with the
    /// managed reference <see cref="Interpreter"/> otherwise. Both write the same arena at the same
    /// offsets (the packer's plan), so inputs and outputs go through the Interpreter's views either way
    /// and the results are byte-identical (the native kernels are bit-exact with the reference:
    /// firmware/README.md).
    ///
    /// The choice is made once, here: native when <c>useNative</c> is set and
    /// <see cref="MoteNative.Prepare"/> accepts the blob (the native driver refuses ops it lacks, with a
    /// status code); managed otherwise, with <see cref="NativeStatus"/> saying why. A firmware built
    /// WITHOUT the Mote interop cannot load this assembly at all (nanoFramework's deployment checks
    /// the native version of every assembly with an AssemblyNativeVersion), so on stock firmware use
    /// the managed-only build of this project (MoteNativeKernels=false), which leaves this file and
    /// MoteNative out: docs/platforms.md, "nanoFramework projects".
    ///
    /// RAM: the blob buffer + the arena (<see cref="Model.ArenaBytes"/>) + the runtime state, plus the
    /// native scratch (<see cref="ScratchBytes"/>) on the native path.
    /// </summary>
    public sealed class ModelRunner
    {
        readonly Model model;
        readonly Interpreter interpreter;
        readonly byte[] scratch;
        readonly bool native;
        readonly int nativeStatus;

        /// <summary>Prepares a runner over a caller-owned arena (at least <see cref="Model.ArenaBytes"/>; null: allocate one).</summary>
        public ModelRunner(Model model, byte[] arena, bool useNative)
        {
            if (model == null) throw new ArgumentNullException("model");
            this.model = model;
            interpreter = new Interpreter(model, arena);
            nativeStatus = MoteNative.ErrorArgument;
            if (!useNative) return;
            int[] sizes = new int[2];
            nativeStatus = MoteNative.Prepare(model.Blob, sizes);
            if (nativeStatus != MoteNative.Ok) return;
            if (sizes[0] > interpreter.Arena.Length)
            {
                nativeStatus = MoteNative.ErrorArgument;
                return;
            }
            scratch = new byte[sizes[1] > 0 ? sizes[1] : 1];
            native = true;
        }

        /// <summary>True when <see cref="Invoke"/> runs the firmware's kernels.</summary>
        public bool IsNative { get { return native; } }

        /// <summary>MoteNative's status from Prepare (0 when native is used; ErrorArgument when not asked or the arena is short).</summary>
        public int NativeStatus { get { return nativeStatus; } }

        /// <summary>Bytes of native scratch allocated (0 on the managed path).</summary>
        public int ScratchBytes { get { return native ? scratch.Length : 0; } }

        public Interpreter Interpreter { get { return interpreter; } }

        public TensorView GetInput(int i) { return interpreter.GetInput(i); }

        public TensorView GetOutput(int i) { return interpreter.GetOutput(i); }

        /// <summary>Runs the model once; allocates nothing on either path.</summary>
        public void Invoke()
        {
            if (!native)
            {
                interpreter.Invoke();
                return;
            }
            int status = MoteNative.Invoke(model.Blob, interpreter.Arena, scratch);
            if (status != MoteNative.Ok)
                throw new InvalidOperationException("MoteNative.Invoke returned status " + status);
        }
    }
}
