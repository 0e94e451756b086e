namespace Mote.Runtime.Kernels
{
    /// <summary>
    /// UNIDIRECTIONAL_SEQUENCE_LSTM, int8 activations and weights, int16 cell state, int32 bias
    /// (TFLM's OpDataLSTM for the 8x8->16 case). Gates are numbered as TFLite orders their
    /// tensors: 0 input, 1 forget, 2 cell, 3 output (<see cref="GateInput"/> ...).
    /// </summary>
    public sealed class UnidirectionalSequenceLstmParams
    {
        public const int GateInput = 0, GateForget = 1, GateCell = 2, GateOutput = 3;

        /// <summary>Input [TimeSteps, Batches, InputSize] when true, else [Batches, TimeSteps, InputSize].</summary>
        public bool TimeMajor;
        public int Batches, TimeSteps, InputSize, StateSize;
        /// <summary>Rows one time step computes at once: Batches when <see cref="TimeMajor"/>, else 1 (TFLM's StateShape).</summary>
        public int StepBatches;
        /// <summary>Minus the zero points of the input and of the hidden state (the two fully-connected inputs).</summary>
        public int InputOffset, HiddenOffset;
        /// <summary>
        /// Requantization of the eight gate fully-connected steps to the gates' Q3.12 int16 scale:
        /// entry 2*gate is the input-to-gate step, 2*gate+1 the recurrent (hidden-to-gate) step.
        /// </summary>
        public int[] GateMultipliers = new int[8], GateShifts = new int[8];
        /// <summary>Cell gate non-linearity: true = sigmoid, false = tanh (TFLite's fused activation TANH).</summary>
        public bool CellGateSigmoid;
        /// <summary>Quantized cell clip in [0, 32767], or -1 for no clipping.</summary>
        public int CellClip;
        /// <summary>Input scaling of the int16 tanh of the cell state (from the cell scale's power of two).</summary>
        public int CellTanhMultiplier, CellTanhLeftShift;
        /// <summary>forget gate x cell -> cell, input gate x cell gate -> cell, tanh(cell) x output gate -> hidden.</summary>
        public int ForgetCellMultiplier, ForgetCellShift;
        public int InputCellMultiplier, InputCellShift;
        public int HiddenMultiplier, HiddenShift;
        /// <summary>Zero point of the int8 hidden state (and output).</summary>
        public int HiddenZeroPoint;

        /// <summary>int16 scratch the kernel needs: four buffers of StepBatches x StateSize.</summary>
        public int ScratchElements { get { return 4 * StepBatches * StateSize; } }
    }
}
