using System.IO;
using System.Linq;
using Mote.Runtime;
using Xunit;

namespace Mote.Packer.Tests.Models
{
    /// <summary>
    /// Recurrent models keep state (variable tensors) across Invoke: one interpreter reused over
    /// TFLM's samples matches TFLM only when the state is reset between samples, as the vectors
    /// were made (interpreter.Reset() before each sample).
    /// </summary>
    public class StatefulModelTests
    {
        static byte[] Run(Interpreter it, byte[] input)
        {
            it.GetInput(0).CopyFrom(input, 0);
            it.Invoke();
            var output = new byte[it.GetOutput(0).Bytes];
            it.GetOutput(0).CopyTo(output, 0);
            return output;
        }

        [SkippableTheory]
        [InlineData("mnist_lstm_int8")]
        [InlineData("micro_speech_lstm")]
        [InlineData("dtln_noise_suppression")]
        public void ReusedInterpreter_ResetStateBetweenSamples_MatchesTflmOnEverySample(string model)
        {
            var packed = SharedModels.Pack(SharedModels.ModelPath(model));
            string dir = SharedModels.VectorDir(model);
            var it = new Interpreter(Model.Load(packed.Blob));
            Assert.True(it.Model.VariableTensorCount >= 2, $"{model}: expected the LSTM's hidden and cell state to be variable tensors");
            for (int s = 0; s < 8; s++)
            {
                it.ResetState();
                var actual = Run(it, File.ReadAllBytes(Path.Combine(dir, $"input_{s}.bin")));
                Assert.True(File.ReadAllBytes(Path.Combine(dir, $"output_{s}.bin")).SequenceEqual(actual), $"{model} sample {s} differs from TFLM");
            }
        }

        [SkippableFact]
        public void Dtln_WithoutReset_SecondInvokeSeesTheFirstInvokesState()
        {
            // dtln runs one time step per Invoke, so its state carries the previous frame: invoking sample 0
            // twice without a reset gives TFLM's output only the first time.
            var packed = SharedModels.Pack(SharedModels.ModelPath("dtln_noise_suppression"));
            string dir = SharedModels.VectorDir("dtln_noise_suppression");
            var it = new Interpreter(Model.Load(packed.Blob));
            var input = File.ReadAllBytes(Path.Combine(dir, "input_0.bin"));
            var expected = File.ReadAllBytes(Path.Combine(dir, "output_0.bin"));
            Assert.Equal(expected, Run(it, input));
            Assert.NotEqual(expected, Run(it, input));
            it.ResetState();
            Assert.Equal(expected, Run(it, input));
        }
    }
}
