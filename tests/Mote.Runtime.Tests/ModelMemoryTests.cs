using System;
using Mote.Runtime.Format;
using Xunit;

namespace Mote.Runtime.Tests
{
    /// <summary>
    /// What <see cref="Model.Load"/> and <see cref="Interpreter"/> allocate, the runtime's checks
    /// of arena size and weights layout, and the lazily built tool objects — on a blob written by
    /// hand (<see cref="TinyBlob"/>), independent of the packer.
    /// </summary>
    public class ModelMemoryTests
    {
        static long StateBytes(byte[] blob, byte[] arena)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            var it = new Interpreter(Model.Load(blob), arena);
            long state = GC.GetAllocatedBytesForCurrentThread() - before;
            GC.KeepAlive(it);
            return state;
        }

        [Fact]
        public void Invoke_TinyFullyConnected_ComputesWeightsTimesInput()
        {
            var it = new Interpreter(Model.Load(new TinyBlob().Build()));
            it.GetInput(0).SetInt8(0, 5);
            it.GetInput(0).SetInt8(1, -4);
            it.Invoke();
            // [[1, 2], [3, -1]] x (5, -4) = (-3, 19); multiplier 0.5 x 2^1 = 1.
            Assert.Equal(-3, it.GetOutput(0).GetInt8(0));
            Assert.Equal(19, it.GetOutput(0).GetInt8(1));
        }

        [Fact]
        public void LoadAndInterpreter_TinyBlob_AllocateOnlyOperatorTableAndParams()
        {
            var blob = new TinyBlob().Build();
            var arena = new byte[32];
            StateBytes(blob, arena); // first call: JIT and type loading
            long state = StateBytes(blob, arena);
            // On 64-bit .NET: Model (~160 B), a 1-row operator table (56 B), one params slot (32 B),
            // FullyConnectedParams (48 B), Interpreter (~72 B). TFLM's arena for this layer alone is larger.
            Assert.InRange(state, 1, 400);
        }

        [Fact]
        public void LoadAndInterpreter_HundredMoreTensors_StateDoesNotGrow()
        {
            // Tensors are read from their blob records; nothing is allocated per tensor at load.
            var small = new TinyBlob().Build();
            var large = new TinyBlob { ExtraTensors = 100 }.Build();
            var arena = new byte[32];
            StateBytes(small, arena);
            Assert.Equal(StateBytes(small, arena), StateBytes(large, arena));
        }

        [Fact]
        public void Invoke_AfterViewsExist_AllocatesNothing()
        {
            var it = new Interpreter(Model.Load(new TinyBlob().Build()));
            var input = new byte[] { 1, 2 };
            var output = new byte[2];
            it.GetInput(0).CopyFrom(input, 0);
            it.Invoke();
            it.GetOutput(0).CopyTo(output, 0);
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 10; i++)
            {
                it.GetInput(0).CopyFrom(input, 0);
                it.Invoke();
                it.GetOutput(0).CopyTo(output, 0);
            }
            Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        }

        [Fact]
        public void Interpreter_ArenaShorterThanPlan_ThrowsNamingBothSizesBeforeTouchingIt()
        {
            var m = Model.Load(new TinyBlob { ArenaBytes = 48 }.Build());
            var arena = new byte[32];
            Array.Fill(arena, (byte)0xA5);
            var e = Assert.Throws<ArenaTooSmallException>(() => new Interpreter(m, arena));
            Assert.IsAssignableFrom<ArgumentException>(e);
            Assert.Equal("arena", e.ParamName);
            Assert.Equal(48, e.NeededBytes);
            Assert.Equal(32, e.GivenBytes);
            Assert.Contains("the arena has 32 bytes but this model's plan needs 48", e.Message);
            Assert.All(arena, x => Assert.Equal(0xA5, x));
        }

        [Fact]
        public void Interpreter_ArenaExactlyThePlanOrLonger_Accepted()
        {
            var m = Model.Load(new TinyBlob().Build());
            Assert.Same(m, new Interpreter(m, new byte[m.ArenaBytes]).Model);
            Assert.Same(m, new Interpreter(m, new byte[m.ArenaBytes + 100]).Model);
        }

        [Theory]
        [InlineData(1)]
        [InlineData(2)]
        [InlineData(-1)]
        public void Load_WeightsLayoutThisRuntimeDoesNotServe_RejectedNamingTheLayout(int layout)
        {
            var blob = new TinyBlob { WeightsLayout = layout }.Build();
            var e = Assert.Throws<MoteFormatException>(() => Model.Load(blob));
            Assert.Equal("header", e.Section);
            Assert.Equal(BlobFormat.OffWeightsLayout, e.Offset);
            Assert.Contains("the blob needs weights layout " + layout, e.Message);
            Assert.Contains("this runtime serves only layout 0 (\"plain\"", e.Message);
        }

        [Fact]
        public void Load_PlainWeightsLayout_Accepted()
        {
            Assert.Equal(BlobFormat.WeightsLayoutPlain, Model.Load(new TinyBlob().Build()).WeightsLayout);
        }

        [Fact]
        public void GetTensorAndGetOperator_BuiltOnFirstRequest_ThenTheSameObject()
        {
            var m = Model.Load(new TinyBlob().Build());
            var w = m.GetTensor(TinyBlob.WeightsTensor);
            Assert.Same(w, m.GetTensor(TinyBlob.WeightsTensor));
            Assert.Equal(new[] { 2, 2 }, w.Shape);
            Assert.True(w.IsConstant);
            Assert.Equal(4, w.Bytes);
            Assert.Equal("t1", w.Name);
            var op = m.GetOperator(0);
            Assert.Same(op, m.GetOperator(0));
            Assert.Equal(OpCode.FullyConnected, op.Code);
            Assert.Equal(new[] { 0, 1, -1 }, op.Inputs);
            Assert.Equal(new[] { 2 }, op.Outputs);
            Assert.IsType<Mote.Runtime.Kernels.FullyConnectedParams>(op.Params);
            Assert.Throws<ArgumentOutOfRangeException>(() => m.GetTensor(3));
            Assert.Throws<ArgumentOutOfRangeException>(() => m.GetInputTensorIndex(1));
        }

        [Fact]
        public void GetInputAndGetTensor_ViewTheArenaAndTheBlob()
        {
            var m = Model.Load(new TinyBlob().Build());
            var arena = new byte[m.ArenaBytes];
            var it = new Interpreter(m, arena);
            Assert.Same(it.GetInput(0), it.GetInput(0));
            Assert.Same(arena, it.GetInput(0).Buffer);
            Assert.Same(arena, it.GetOutput(0).Buffer);
            Assert.Equal(16, it.GetOutput(0).Start);
            var w = it.GetTensor(TinyBlob.WeightsTensor);
            Assert.Same(m.Blob, w.Buffer);
            Assert.Equal(3, w.GetInt8(2));
            Assert.Same(m.GetTensor(TinyBlob.WeightsTensor), w.Info);
        }

        /// <summary>Bit-at-a-time CRC-32 straight from the definition: the oracle for the nibble table.</summary>
        static uint BitwiseCrc32(byte[] data, int start, int length)
        {
            uint crc = 0xFFFFFFFFu;
            for (int i = start; i < start + length; i++)
            {
                crc ^= data[i];
                for (int k = 0; k < 8; k++) crc = (crc & 1) != 0 ? 0xEDB88320u ^ (crc >> 1) : crc >> 1;
            }
            return ~crc;
        }

        [Fact]
        public void Crc32_RandomDataEveryLengthAndOffset_MatchesBitwiseDefinition()
        {
            var rng = new Random(32);
            var data = new byte[300];
            rng.NextBytes(data);
            for (int length = 0; length <= 257; length++)
                Assert.Equal(BitwiseCrc32(data, length % 7, length), Crc32.Compute(data, length % 7, length));
            var check = System.Text.Encoding.ASCII.GetBytes("123456789");
            Assert.Equal(0xCBF43926u, Crc32.Compute(check, 0, check.Length));
        }

        [Fact]
        public void Crc32_Compute_AllocatesNothing()
        {
            var data = new byte[64];
            Crc32.Compute(data, 0, data.Length);
            long before = GC.GetAllocatedBytesForCurrentThread();
            Crc32.Compute(data, 0, data.Length);
            Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        }
    }
}
