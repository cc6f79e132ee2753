namespace LocalQa.Llama;

public enum FlashAttention { Auto = -1, Off = 0, On = 1 }
