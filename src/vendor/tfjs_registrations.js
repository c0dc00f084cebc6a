// @ts-self-types="./tfjs_registrations.d.ts"
/**
 * @license
 * GENERATED FILE, do not edit. Regenerate with:
 *   deno run -A scripts/vendor_tfjs_registrations.ts
 *
 * The gradient registrations and chained tensor methods of @tensorflow/tfjs-core 4.22.0
 * (npm, Apache License 2.0, Copyright Google LLC; https://github.com/tensorflow/tfjs):
 *   dist/register_all_gradients.js
 *   dist/public/chained_ops/register_all_chained_ops.js
 * and the gradient and chained-op files they import, bundled by esbuild 0.28.2
 * (unminified; tfjs's license notice follows the code), with these stateless tfjs-core modules
 * that have exports outside the public API:
 *   dist/ops/avg_pool_3d_grad.js
 *   dist/ops/avg_pool_grad.js
 *   dist/ops/conv2d_backprop_filter.js
 *   dist/ops/conv2d_backprop_input.js
 *   dist/ops/conv3d_backprop_filter.js
 *   dist/ops/conv3d_backprop_input.js
 *   dist/ops/depthwise_conv2d_native_backprop_filter.js
 *   dist/ops/depthwise_conv2d_native_backprop_input.js
 *   dist/ops/local_response_normalization_backprop.js
 *   dist/ops/max_pool_3d_grad.js
 *   dist/ops/max_pool_grad.js
 *   dist/tensor_util_env.js
 *   dist/types.js
 * Every other tfjs-core module those files import is replaced by the identical values of the
 * public "@tensorflow/tfjs-core" API (the "public:" sections), so this file holds no copy of
 * tfjs's engine, registries or Tensor class.
 */

// public:kernel_names.js
import * as tf from "@tensorflow/tfjs-core";
var Abs2 = tf.Abs;
var Acos2 = tf.Acos;
var Acosh2 = tf.Acosh;
var Add2 = tf.Add;
var AddN2 = tf.AddN;
var ArgMax2 = tf.ArgMax;
var ArgMin2 = tf.ArgMin;
var Asin2 = tf.Asin;
var Asinh2 = tf.Asinh;
var Atan3 = tf.Atan;
var Atan22 = tf.Atan2;
var Atanh2 = tf.Atanh;
var AvgPool2 = tf.AvgPool;
var AvgPool3D2 = tf.AvgPool3D;
var AvgPool3DGrad2 = tf.AvgPool3DGrad;
var AvgPoolGrad2 = tf.AvgPoolGrad;
var BatchMatMul2 = tf.BatchMatMul;
var BatchToSpaceND2 = tf.BatchToSpaceND;
var BroadcastTo2 = tf.BroadcastTo;
var Cast2 = tf.Cast;
var Ceil2 = tf.Ceil;
var ClipByValue2 = tf.ClipByValue;
var ComplexAbs2 = tf.ComplexAbs;
var Concat2 = tf.Concat;
var Conv2D2 = tf.Conv2D;
var Conv2DBackpropFilter2 = tf.Conv2DBackpropFilter;
var Conv2DBackpropInput2 = tf.Conv2DBackpropInput;
var Conv3D2 = tf.Conv3D;
var Conv3DBackpropFilterV22 = tf.Conv3DBackpropFilterV2;
var Conv3DBackpropInputV22 = tf.Conv3DBackpropInputV2;
var Cos2 = tf.Cos;
var Cosh2 = tf.Cosh;
var Cumsum2 = tf.Cumsum;
var DepthwiseConv2dNative2 = tf.DepthwiseConv2dNative;
var DepthwiseConv2dNativeBackpropFilter2 = tf.DepthwiseConv2dNativeBackpropFilter;
var DepthwiseConv2dNativeBackpropInput2 = tf.DepthwiseConv2dNativeBackpropInput;
var Dilation2D2 = tf.Dilation2D;
var Dilation2DBackpropFilter2 = tf.Dilation2DBackpropFilter;
var Dilation2DBackpropInput2 = tf.Dilation2DBackpropInput;
var Elu2 = tf.Elu;
var EluGrad2 = tf.EluGrad;
var Erf2 = tf.Erf;
var Exp2 = tf.Exp;
var ExpandDims2 = tf.ExpandDims;
var Expm12 = tf.Expm1;
var Floor2 = tf.Floor;
var FloorDiv2 = tf.FloorDiv;
var FusedBatchNorm2 = tf.FusedBatchNorm;
var GatherV22 = tf.GatherV2;
var GreaterEqual2 = tf.GreaterEqual;
var Identity2 = tf.Identity;
var IsFinite2 = tf.IsFinite;
var IsInf2 = tf.IsInf;
var IsNan2 = tf.IsNan;
var LRN2 = tf.LRN;
var LRNGrad2 = tf.LRNGrad;
var LeakyRelu2 = tf.LeakyRelu;
var Log2 = tf.Log;
var Log1p2 = tf.Log1p;
var LogSoftmax2 = tf.LogSoftmax;
var Max2 = tf.Max;
var MaxPool2 = tf.MaxPool;
var MaxPool3D2 = tf.MaxPool3D;
var MaxPool3DGrad2 = tf.MaxPool3DGrad;
var MaxPoolGrad2 = tf.MaxPoolGrad;
var Maximum2 = tf.Maximum;
var Mean2 = tf.Mean;
var Min2 = tf.Min;
var Minimum2 = tf.Minimum;
var MirrorPad2 = tf.MirrorPad;
var Mod2 = tf.Mod;
var Multiply2 = tf.Multiply;
var Neg2 = tf.Neg;
var OneHot2 = tf.OneHot;
var OnesLike2 = tf.OnesLike;
var Pack2 = tf.Pack;
var PadV22 = tf.PadV2;
var Pow2 = tf.Pow;
var Prelu2 = tf.Prelu;
var Prod2 = tf.Prod;
var RealDiv2 = tf.RealDiv;
var Reciprocal2 = tf.Reciprocal;
var Relu2 = tf.Relu;
var Relu62 = tf.Relu6;
var Reshape2 = tf.Reshape;
var ResizeBilinear2 = tf.ResizeBilinear;
var ResizeBilinearGrad2 = tf.ResizeBilinearGrad;
var ResizeNearestNeighbor2 = tf.ResizeNearestNeighbor;
var ResizeNearestNeighborGrad2 = tf.ResizeNearestNeighborGrad;
var Reverse2 = tf.Reverse;
var Round2 = tf.Round;
var Rsqrt2 = tf.Rsqrt;
var Select2 = tf.Select;
var Selu2 = tf.Selu;
var Sigmoid2 = tf.Sigmoid;
var Sign2 = tf.Sign;
var Sin2 = tf.Sin;
var Sinh2 = tf.Sinh;
var Slice2 = tf.Slice;
var Softmax2 = tf.Softmax;
var Softplus2 = tf.Softplus;
var SpaceToBatchND2 = tf.SpaceToBatchND;
var SplitV2 = tf.SplitV;
var Sqrt2 = tf.Sqrt;
var Square2 = tf.Square;
var SquaredDifference2 = tf.SquaredDifference;
var Step2 = tf.Step;
var Sub2 = tf.Sub;
var Sum2 = tf.Sum;
var Tan2 = tf.Tan;
var Tanh2 = tf.Tanh;
var Tile2 = tf.Tile;
var Transpose2 = tf.Transpose;
var Unpack2 = tf.Unpack;
var UnsortedSegmentSum2 = tf.UnsortedSegmentSum;
var ZerosLike2 = tf.ZerosLike;

// public:ops/cast.js
import * as tf2 from "@tensorflow/tfjs-core";
var cast2 = tf2.cast;

// public:ops/mul.js
import * as tf3 from "@tensorflow/tfjs-core";
var mul2 = tf3.mul;

// public:ops/step.js
import * as tf4 from "@tensorflow/tfjs-core";
var step2 = tf4.step;

// gradients/Abs_grad.js
var absGradConfig = {
  kernelName: Abs2,
  inputsToSave: ["x"],
  gradFunc: (dy, saved) => {
    const [x] = saved;
    return { x: () => mul2(dy, step2(cast2(x, "float32"), -1)) };
  }
};

// public:ops/div.js
import * as tf5 from "@tensorflow/tfjs-core";
var div2 = tf5.div;

// public:ops/neg.js
import * as tf6 from "@tensorflow/tfjs-core";
var neg2 = tf6.neg;

// public:ops/scalar.js
import * as tf7 from "@tensorflow/tfjs-core";
var scalar2 = tf7.scalar;

// public:ops/sqrt.js
import * as tf8 from "@tensorflow/tfjs-core";
var sqrt2 = tf8.sqrt;

// public:ops/square.js
import * as tf9 from "@tensorflow/tfjs-core";
var square2 = tf9.square;

// public:ops/sub.js
import * as tf10 from "@tensorflow/tfjs-core";
var sub2 = tf10.sub;

// gradients/Acos_grad.js
var acosGradConfig = {
  kernelName: Acos2,
  inputsToSave: ["x"],
  gradFunc: (dy, saved) => {
    const [x] = saved;
    return {
      x: () => {
        const a = square2(cast2(x, "float32"));
        const b = sqrt2(sub2(scalar2(1), a));
        return neg2(div2(dy, b));
      }
    };
  }
};

// gradients/Acosh_grad.js
var acoshGradConfig = {
  kernelName: Acosh2,
  inputsToSave: ["x"],
  gradFunc: (dy, saved) => {
    const [x] = saved;
    return {
      x: () => {
        const a = sqrt2(sub2(square2(cast2(x, "float32")), 1));
        return div2(dy, a);
      }
    };
  }
};

// public:ops/broadcast_util.js
import * as tf11 from "@tensorflow/tfjs-core";
var assertAndGetBroadcastShape = tf11.backend_util.assertAndGetBroadcastShape;
var getBroadcastDims = tf11.backend_util.getBroadcastDims;
var getReductionAxes = tf11.backend_util.getReductionAxes;

// public:ops/reshape.js
import * as tf12 from "@tensorflow/tfjs-core";
var reshape2 = tf12.reshape;

// public:ops/sum.js
import * as tf13 from "@tensorflow/tfjs-core";
var sum2 = tf13.sum;

// gradients/Add_grad.js
var addGradConfig = {
  kernelName: Add2,
  inputsToSave: ["a", "b"],
  gradFunc: (dy, saved) => {
    const [a, b] = saved;
    const outShape = assertAndGetBroadcastShape(a.shape, b.shape);
    const derA = () => {
      let res = dy;
      const reduceAxes = getReductionAxes(a.shape, outShape);
      if (reduceAxes.length > 0) {
        res = sum2(res, reduceAxes);
      }
      return reshape2(res, a.shape);
    };
    const derB = () => {
      let res = dy;
      const reduceAxes = getReductionAxes(b.shape, outShape);
      if (reduceAxes.length > 0) {
        res = sum2(res, reduceAxes);
      }
      return reshape2(res, b.shape);
    };
    return { a: derA, b: derB };
  }
};

// gradients/AddN_grad.js
var addNGradConfig = {
  kernelName: AddN2,
  saveAllInputs: true,
  gradFunc: (dy, saved) => {
    const ders = {};
    saved.forEach((_, i) => {
      ders[i] = () => dy.clone();
    });
    return ders;
  }
};

// public:ops/zeros_like.js
import * as tf14 from "@tensorflow/tfjs-core";
var zerosLike2 = tf14.zerosLike;

// gradients/ArgMax_grad.js
var argMaxGradConfig = {
  kernelName: ArgMax2,
  inputsToSave: ["x"],
  gradFunc: (dy, saved) => {
    const [x] = saved;
    return { x: () => zerosLike2(x) };
  }
};

// gradients/ArgMin_grad.js
var argMinGradConfig = {
  kernelName: ArgMin2,
  inputsToSave: ["x"],
  gradFunc: (dy, saved) => {
    const [x] = saved;
    return { x: () => zerosLike2(x) };
  }
};

// gradients/Asin_grad.js
var asinGradConfig = {
  kernelName: Asin2,
  inputsToSave: ["x"],
  gradFunc: (dy, saved) => {
    const [x] = saved;
    return { x: () => div2(dy, sqrt2(sub2(scalar2(1), square2(cast2(x, "float32"))))) };
  }
};

// public:ops/add.js
import * as tf15 from "@tensorflow/tfjs-core";
var add2 = tf15.add;

// gradients/Asinh_grad.js
var asinhGradConfig = {
  kernelName: Asinh2,
  inputsToSave: ["x"],
  gradFunc: (dy, saved) => {
    const [x] = saved;
    return {
      x: () => {
        const a = sqrt2(add2(scalar2(1), square2(cast2(x, "float32"))));
        return div2(dy, a);
      }
    };
  }
};

// gradients/Atan2_grad.js
var atan2GradConfig = {
  kernelName: Atan22,
  inputsToSave: ["a", "b"],
  gradFunc: (dy, saved) => {
    const [a, b] = saved;
    const outShape = assertAndGetBroadcastShape(a.shape, b.shape);
    const derA = () => {
      const d = add2(square2(a), square2(b));
      let res = mul2(dy, div2(b, d));
      const reduceAxes = getReductionAxes(a.shape, outShape);
      if (reduceAxes.length > 0) {
        res = sum2(res, reduceAxes);
      }
      return reshape2(res, a.shape);
    };
    const derB = () => {
      const d = add2(square2(a), square2(b));
      let res = neg2(mul2(dy, div2(a, d)));
      const reduceAxes = getReductionAxes(b.shape, outShape);
      if (reduceAxes.length > 0) {
        res = sum2(res, reduceAxes);
      }
      return reshape2(res, b.shape);
    };
    return { a: derA, b: derB };
  }
};

// gradients/Atan_grad.js
var atanGradConfig = {
  kernelName: Atan3,
  inputsToSave: ["x"],
  gradFunc: (dy, saved) => {
    const [x] = saved;
    return { x: () => div2(dy, add2(square2(cast2(x, "float32")), 1)) };
  }
};

// gradients/Atanh_grad.js
var atanhGradConfig = {
  kernelName: Atanh2,
  inputsToSave: ["x"],
  gradFunc: (dy, saved) => {
    const [x] = saved;
    return { x: () => div2(dy, sub2(scalar2(1), square2(cast2(x, "float32")))) };
  }
};

// public:engine.js
import * as tf16 from "@tensorflow/tfjs-core";
var ENGINE = tf16.engine();

// public:environment.js
import * as tf17 from "@tensorflow/tfjs-core";
var env2 = tf17.env;

// public:tensor.js
import * as tf18 from "@tensorflow/tfjs-core";
var Tensor2 = tf18.Tensor;
var getGlobalTensorClass = () => tf18.Tensor;

// types.js
var Rank;
(function(Rank3) {
  Rank3["R0"] = "R0";
  Rank3["R1"] = "R1";
  Rank3["R2"] = "R2";
  Rank3["R3"] = "R3";
  Rank3["R4"] = "R4";
  Rank3["R5"] = "R5";
  Rank3["R6"] = "R6";
})(Rank || (Rank = {}));
var UpcastInt32AndMap;
(function(UpcastInt32AndMap2) {
  UpcastInt32AndMap2["float32"] = "float32";
  UpcastInt32AndMap2["int32"] = "int32";
  UpcastInt32AndMap2["bool"] = "int32";
  UpcastInt32AndMap2["complex64"] = "complex64";
})(UpcastInt32AndMap || (UpcastInt32AndMap = {}));
var UpcastBoolAndMap;
(function(UpcastBoolAndMap2) {
  UpcastBoolAndMap2["float32"] = "float32";
  UpcastBoolAndMap2["int32"] = "int32";
  UpcastBoolAndMap2["bool"] = "bool";
  UpcastBoolAndMap2["complex64"] = "complex64";
})(UpcastBoolAndMap || (UpcastBoolAndMap = {}));
var UpcastFloat32AndMap;
(function(UpcastFloat32AndMap2) {
  UpcastFloat32AndMap2["float32"] = "float32";
  UpcastFloat32AndMap2["int32"] = "float32";
  UpcastFloat32AndMap2["bool"] = "float32";
  UpcastFloat32AndMap2["complex64"] = "complex64";
})(UpcastFloat32AndMap || (UpcastFloat32AndMap = {}));
var UpcastComplex64AndMap;
(function(UpcastComplex64AndMap2) {
  UpcastComplex64AndMap2["float32"] = "complex64";
  UpcastComplex64AndMap2["int32"] = "complex64";
  UpcastComplex64AndMap2["bool"] = "complex64";
  UpcastComplex64AndMap2["complex64"] = "complex64";
})(UpcastComplex64AndMap || (UpcastComplex64AndMap = {}));
function isWebGLData(values) {
  return values != null && typeof values === "object" && "texture" in values && values.texture instanceof WebGLTexture;
}
function isWebGPUData(values) {
  return typeof GPUBuffer !== "undefined" && values != null && typeof values === "object" && "buffer" in values && values.buffer instanceof GPUBuffer;
}

// public:util.js
import * as tf19 from "@tensorflow/tfjs-core";
var arraysEqual = tf19.util.arraysEqual;
var arraysEqualWithNull = tf19.util.arraysEqualWithNull;
var assert = tf19.util.assert;
var assertNonNegativeIntegerDimensions = tf19.util.assertNonNegativeIntegerDimensions;
var assertNonNull = tf19.util.assertNonNull;
var assertShapesMatch = tf19.util.assertShapesMatch;
var bytesFromStringArray = tf19.util.bytesFromStringArray;
var bytesPerElement = tf19.util.bytesPerElement;
var checkConversionForErrors = tf19.util.checkConversionForErrors;
var clamp = tf19.util.clamp;
var computeStrides = tf19.util.computeStrides;
var convertBackendValuesAndArrayBuffer = tf19.util.convertBackendValuesAndArrayBuffer;
var createScalarValue = tf19.util.createScalarValue;
var createShuffledIndices = tf19.util.createShuffledIndices;
var decodeString = tf19.util.decodeString;
var distSquared = tf19.util.distSquared;
var encodeString = tf19.util.encodeString;
var fetch = tf19.util.fetch;
var fingerPrint64 = tf19.util.fingerPrint64;
var flatten = tf19.util.flatten;
var getArrayFromDType = tf19.util.getArrayFromDType;
var getTypedArrayFromDType = tf19.util.getTypedArrayFromDType;
var hasEncodingLoss = tf19.util.hasEncodingLoss;
var hexToLong = tf19.util.hexToLong;
var indexToLoc = tf19.util.indexToLoc;
var inferDtype = tf19.util.inferDtype;
var inferFromImplicitShape = tf19.util.inferFromImplicitShape;
var isBoolean = tf19.util.isBoolean;
var isFunction = tf19.util.isFunction;
var isInt = tf19.util.isInt;
var isNumber = tf19.util.isNumber;
var isPromise = tf19.util.isPromise;
var isScalarShape = tf19.util.isScalarShape;
var isString = tf19.util.isString;
var isTypedArray = tf19.util.isTypedArray;
var isValidDtype = tf19.util.isValidDtype;
var locToIndex = tf19.util.locToIndex;
var makeOnesTypedArray = tf19.util.makeOnesTypedArray;
var makeZerosNestedTypedArray = tf19.util.makeZerosNestedTypedArray;
var makeZerosTypedArray = tf19.util.makeZerosTypedArray;
var nearestDivisor = tf19.util.nearestDivisor;
var nearestLargerEven = tf19.util.nearestLargerEven;
var now = tf19.util.now;
var parseAxisParam = tf19.util.parseAxisParam;
var randUniform = tf19.util.randUniform;
var repeatedTry = tf19.util.repeatedTry;
var rightPad = tf19.util.rightPad;
var shuffle = tf19.util.shuffle;
var shuffleCombo = tf19.util.shuffleCombo;
var sizeFromShape = tf19.util.sizeFromShape;
var sizeToSquarishShape = tf19.util.sizeToSquarishShape;
var squeezeShape = tf19.util.squeezeShape;
var sum3 = tf19.util.sum;
var swap = tf19.util.swap;
var tanh = tf19.util.tanh;
var toNestedArray = tf19.util.toNestedArray;
var toTypedArray = tf19.util.toTypedArray;

// public:util_base.js
import * as tf20 from "@tensorflow/tfjs-core";
var arraysEqual2 = tf20.util.arraysEqual;
var arraysEqualWithNull2 = tf20.util.arraysEqualWithNull;
var assert2 = tf20.util.assert;
var assertNonNegativeIntegerDimensions2 = tf20.util.assertNonNegativeIntegerDimensions;
var assertNonNull2 = tf20.util.assertNonNull;
var assertShapesMatch2 = tf20.util.assertShapesMatch;
var bytesFromStringArray2 = tf20.util.bytesFromStringArray;
var bytesPerElement2 = tf20.util.bytesPerElement;
var checkConversionForErrors2 = tf20.util.checkConversionForErrors;
var clamp2 = tf20.util.clamp;
var computeStrides2 = tf20.util.computeStrides;
var convertBackendValuesAndArrayBuffer2 = tf20.util.convertBackendValuesAndArrayBuffer;
var createShuffledIndices2 = tf20.util.createShuffledIndices;
var distSquared2 = tf20.util.distSquared;
var getArrayFromDType2 = tf20.util.getArrayFromDType;
var getTypedArrayFromDType2 = tf20.util.getTypedArrayFromDType;
var hasEncodingLoss2 = tf20.util.hasEncodingLoss;
var indexToLoc2 = tf20.util.indexToLoc;
var inferDtype2 = tf20.util.inferDtype;
var inferFromImplicitShape2 = tf20.util.inferFromImplicitShape;
var isBoolean2 = tf20.util.isBoolean;
var isFunction2 = tf20.util.isFunction;
var isInt2 = tf20.util.isInt;
var isNumber2 = tf20.util.isNumber;
var isPromise2 = tf20.util.isPromise;
var isScalarShape2 = tf20.util.isScalarShape;
var isString2 = tf20.util.isString;
var isValidDtype2 = tf20.util.isValidDtype;
var locToIndex2 = tf20.util.locToIndex;
var makeOnesTypedArray2 = tf20.util.makeOnesTypedArray;
var makeZerosNestedTypedArray2 = tf20.util.makeZerosNestedTypedArray;
var makeZerosTypedArray2 = tf20.util.makeZerosTypedArray;
var nearestDivisor2 = tf20.util.nearestDivisor;
var nearestLargerEven2 = tf20.util.nearestLargerEven;
var parseAxisParam2 = tf20.util.parseAxisParam;
var randUniform2 = tf20.util.randUniform;
var repeatedTry2 = tf20.util.repeatedTry;
var rightPad2 = tf20.util.rightPad;
var shuffle2 = tf20.util.shuffle;
var shuffleCombo2 = tf20.util.shuffleCombo;
var sizeFromShape2 = tf20.util.sizeFromShape;
var sizeToSquarishShape2 = tf20.util.sizeToSquarishShape;
var squeezeShape2 = tf20.util.squeezeShape;
var sum4 = tf20.util.sum;
var swap2 = tf20.util.swap;
var tanh2 = tf20.util.tanh;
var toNestedArray2 = tf20.util.toNestedArray;

// tensor_util_env.js
function inferShape(val, dtype) {
  let firstElem = val;
  if (isTypedArray(val)) {
    return dtype === "string" ? [] : [val.length];
  }
  if (isWebGLData(val)) {
    const usedChannels = val.channels || "RGBA";
    return [val.height, val.width * usedChannels.length];
  } else if (isWebGPUData(val)) {
    return [val.buffer.size / (dtype == null ? 4 : bytesPerElement2(dtype))];
  }
  if (!Array.isArray(val)) {
    return [];
  }
  const shape = [];
  while (Array.isArray(firstElem) || isTypedArray(firstElem) && dtype !== "string") {
    shape.push(firstElem.length);
    firstElem = firstElem[0];
  }
  if (Array.isArray(val) && env2().getBool("TENSORLIKE_CHECK_SHAPE_CONSISTENCY")) {
    deepAssertShapeConsistency(val, shape, []);
  }
  return shape;
}
function deepAssertShapeConsistency(val, shape, indices) {
  indices = indices || [];
  if (!Array.isArray(val) && !isTypedArray(val)) {
    assert(shape.length === 0, () => `Element arr[${indices.join("][")}] is a primitive, but should be an array/TypedArray of ${shape[0]} elements`);
    return;
  }
  assert(shape.length > 0, () => `Element arr[${indices.join("][")}] should be a primitive, but is an array of ${val.length} elements`);
  assert(val.length === shape[0], () => `Element arr[${indices.join("][")}] should have ${shape[0]} elements, but has ${val.length} elements`);
  const subShape = shape.slice(1);
  for (let i = 0; i < val.length; ++i) {
    deepAssertShapeConsistency(val[i], subShape, indices.concat(i));
  }
}
function assertDtype(expectedDtype, actualDType, argName, functionName) {
  if (expectedDtype === "string_or_numeric") {
    return;
  }
  if (expectedDtype == null) {
    throw new Error(`Expected dtype cannot be null.`);
  }
  if (expectedDtype !== "numeric" && expectedDtype !== actualDType || expectedDtype === "numeric" && actualDType === "string") {
    throw new Error(`Argument '${argName}' passed to '${functionName}' must be ${expectedDtype} tensor, but got ${actualDType} tensor`);
  }
}
function convertToTensor(x, argName, functionName, parseAsDtype = "numeric") {
  if (x instanceof getGlobalTensorClass()) {
    assertDtype(parseAsDtype, x.dtype, argName, functionName);
    return x;
  }
  let inferredDtype = inferDtype(x);
  if (inferredDtype !== "string" && ["bool", "int32", "float32"].indexOf(parseAsDtype) >= 0) {
    inferredDtype = parseAsDtype;
  }
  assertDtype(parseAsDtype, inferredDtype, argName, functionName);
  if (x == null || !isTypedArray(x) && !Array.isArray(x) && typeof x !== "number" && typeof x !== "boolean" && typeof x !== "string") {
    const type = x == null ? "null" : x.constructor.name;
    throw new Error(`Argument '${argName}' passed to '${functionName}' must be a Tensor or TensorLike, but got '${type}'`);
  }
  const inferredShape = inferShape(x, inferredDtype);
  if (!isTypedArray(x) && !Array.isArray(x)) {
    x = [x];
  }
  const skipTypedArray = true;
  const values = inferredDtype !== "string" ? toTypedArray(x, inferredDtype) : flatten(x, [], skipTypedArray);
  return ENGINE.makeTensor(values, inferredShape, inferredDtype);
}

// public:ops/conv_util.js
import * as tf21 from "@tensorflow/tfjs-core";
var checkPadOnDimRoundingMode = tf21.backend_util.checkPadOnDimRoundingMode;
var computeConv2DInfo = tf21.backend_util.computeConv2DInfo;
var computeConv3DInfo = tf21.backend_util.computeConv3DInfo;
var computeDefaultPad = tf21.backend_util.computeDefaultPad;
var computeDilation2DInfo = tf21.backend_util.computeDilation2DInfo;
var computePool2DInfo = tf21.backend_util.computePool2DInfo;
var computePool3DInfo = tf21.backend_util.computePool3DInfo;
var convertConv2DDataFormat = tf21.backend_util.convertConv2DDataFormat;
var eitherStridesOrDilationsAreOne = tf21.backend_util.eitherStridesOrDilationsAreOne;
var stridesOrDilationsArePositive = tf21.backend_util.stridesOrDilationsArePositive;
var tupleValuesAreOne = tf21.backend_util.tupleValuesAreOne;

// public:ops/operation.js
import * as tf22 from "@tensorflow/tfjs-core";
var op2 = tf22.op;

// ops/avg_pool_3d_grad.js
function avgPool3dGrad_(dy, input, filterSize, strides, pad5, dimRoundingMode) {
  const $dy = convertToTensor(dy, "dy", "avgPool3dGrad");
  const $input = convertToTensor(input, "input", "avgPool3dGrad");
  let dy5D = $dy;
  let input5D = $input;
  let reshapedTo5D = false;
  if ($input.rank === 4) {
    reshapedTo5D = true;
    dy5D = reshape2($dy, [1, $dy.shape[0], $dy.shape[1], $dy.shape[2], $dy.shape[3]]);
    input5D = reshape2($input, [
      1,
      $input.shape[0],
      $input.shape[1],
      $input.shape[2],
      $input.shape[3]
    ]);
  }
  assert(dy5D.rank === 5, () => `Error in avgPool3dGrad: dy must be rank 5 but got rank ${dy5D.rank}.`);
  assert(input5D.rank === 5, () => `Error in avgPool3dGrad: input must be rank 5 but got rank ${input5D.rank}.`);
  checkPadOnDimRoundingMode("avgPool3dGrad", pad5, dimRoundingMode);
  const inputs = { dy: dy5D, input: input5D };
  const attrs = { filterSize, strides, pad: pad5, dimRoundingMode };
  const res = ENGINE.runKernel(AvgPool3DGrad2, inputs, attrs);
  if (reshapedTo5D) {
    return reshape2(res, [res.shape[1], res.shape[2], res.shape[3], res.shape[4]]);
  }
  return res;
}
var avgPool3dGrad = /* @__PURE__ */ op2({ avgPool3dGrad_ });

// gradients/AvgPool3D_grad.js
var avgPool3DGradConfig = {
  kernelName: AvgPool3D2,
  inputsToSave: ["x"],
  gradFunc: (dy, saved, attrs) => {
    const [x] = saved;
    const { filterSize, strides, pad: pad5, dimRoundingMode } = attrs;
    return {
      x: () => avgPool3dGrad(dy, x, filterSize, strides, pad5, dimRoundingMode)
    };
  }
};

// ops/avg_pool_grad.js
function avgPoolGrad_(dy, input, filterSize, strides, pad5) {
  const $dy = convertToTensor(dy, "dy", "avgPoolGrad");
  const $input = convertToTensor(input, "input", "avgPoolGrad");
  assert($input.rank === $dy.rank, () => `Rank of input (${$input.rank}) does not match rank of dy (${$dy.rank})`);
  let input4D = $input;
  let dy4D = $dy;
  let reshapedTo4D = false;
  if ($input.rank === 3) {
    reshapedTo4D = true;
    input4D = reshape2($input, [1, $input.shape[0], $input.shape[1], $input.shape[2]]);
    dy4D = reshape2($dy, [1, $dy.shape[0], $dy.shape[1], $dy.shape[2]]);
  }
  assert(dy4D.rank === 4, () => `Error in avgPoolGrad: dy must be rank 4 but got rank ${dy4D.rank}.`);
  assert(input4D.rank === 4, () => `Error in avgPoolGrad: input must be rank 4 but got rank ${input4D.rank}.`);
  const inputs = { dy: dy4D, input: input4D };
  const attrs = { filterSize, strides, pad: pad5 };
  const res = ENGINE.runKernel(AvgPoolGrad2, inputs, attrs);
  if (reshapedTo4D) {
    return reshape2(res, [res.shape[1], res.shape[2], res.shape[3]]);
  }
  return res;
}
var avgPoolGrad = /* @__PURE__ */ op2({ avgPoolGrad_ });

// gradients/AvgPool_grad.js
var avgPoolGradConfig = {
  kernelName: AvgPool2,
  inputsToSave: ["x"],
  gradFunc: (dy, saved, attrs) => {
    const [x] = saved;
    const { filterSize, strides, pad: pad5 } = attrs;
    return { x: () => avgPoolGrad(dy, x, filterSize, strides, pad5) };
  }
};

// public:ops/mat_mul.js
import * as tf23 from "@tensorflow/tfjs-core";
var matMul2 = tf23.matMul;

// gradients/BatchMatMul_grad.js
var batchMatMulGradConfig = {
  kernelName: BatchMatMul2,
  inputsToSave: ["a", "b"],
  gradFunc: (dy, saved, attrs) => {
    const [a, b] = saved;
    const { transposeA, transposeB } = attrs;
    if (!transposeA && !transposeB) {
      return {
        a: () => matMul2(dy, b, false, true),
        b: () => matMul2(a, dy, true, false)
      };
    } else if (!transposeA && transposeB) {
      return {
        a: () => matMul2(dy, b, false, false),
        b: () => matMul2(dy, a, true, false)
      };
    } else if (transposeA && !transposeB) {
      return {
        a: () => matMul2(b, dy, false, true),
        b: () => matMul2(a, dy, false, false)
      };
    } else {
      return {
        a: () => matMul2(b, dy, true, true),
        b: () => matMul2(dy, a, true, true)
      };
    }
  }
};

// public:ops/space_to_batch_nd.js
import * as tf24 from "@tensorflow/tfjs-core";
var spaceToBatchND2 = tf24.spaceToBatchND;

// gradients/BatchToSpaceND_grad.js
var batchToSpaceNDGradConfig = {
  kernelName: BatchToSpaceND2,
  gradFunc: (dy, saved, attrs) => {
    const { blockShape, crops } = attrs;
    return { x: () => spaceToBatchND2(dy, blockShape, crops) };
  }
};

// gradients/BroadcastTo_grad.js
var broadcastToGradConfig = {
  kernelName: BroadcastTo2,
  gradFunc: (dy, saved, attrs) => {
    const broadCastToAttrs = attrs;
    const inputShape = broadCastToAttrs.inputShape;
    const outputShape = broadCastToAttrs.shape;
    const reps = Array.from(outputShape);
    for (let i = inputShape.length - 1; i >= 0; i--) {
      if (inputShape[i] === outputShape[i]) {
        reps[i] = 1;
      } else if (inputShape[i] !== 1) {
        throw new Error(`broadcastTo(): [${inputShape}] cannot be broadcast to [${outputShape}].`);
      }
    }
    const axes = [];
    for (let i = 0; i < reps.length; i++) {
      if (reps[i] > 1) {
        axes.push(i);
      }
    }
    return { x: () => sum2(
      dy,
      axes,
      true
      /* keepDims */
    ) };
  }
};

// gradients/Cast_grad.js
var castGradConfig = {
  kernelName: Cast2,
  gradFunc: (dy) => {
    return { x: () => dy.clone() };
  }
};

// gradients/Ceil_grad.js
var ceilGradConfig = {
  kernelName: Ceil2,
  gradFunc: (dy) => {
    return { x: () => zerosLike2(dy) };
  }
};

// public:ops/greater_equal.js
import * as tf25 from "@tensorflow/tfjs-core";
var greaterEqual2 = tf25.greaterEqual;

// public:ops/less_equal.js
import * as tf26 from "@tensorflow/tfjs-core";
var lessEqual2 = tf26.lessEqual;

// public:ops/logical_and.js
import * as tf27 from "@tensorflow/tfjs-core";
var logicalAnd2 = tf27.logicalAnd;

// public:ops/where.js
import * as tf28 from "@tensorflow/tfjs-core";
var where2 = tf28.where;

// gradients/ClipByValue_grad.js
var clipByValueGradConfig = {
  kernelName: ClipByValue2,
  inputsToSave: ["x"],
  gradFunc: (dy, saved, attrs) => {
    const [x] = saved;
    const { clipValueMin, clipValueMax } = attrs;
    return {
      x: () => where2(logicalAnd2(greaterEqual2(x, clipValueMin), lessEqual2(x, clipValueMax)), dy, zerosLike2(dy))
    };
  }
};

// gradients/ComplexAbs_grad.js
var complexAbsGradConfig = {
  kernelName: ComplexAbs2,
  inputsToSave: ["x"],
  gradFunc: absGradConfig.gradFunc
};

// public:ops/split.js
import * as tf29 from "@tensorflow/tfjs-core";
var split2 = tf29.split;

// gradients/Concat_grad.js
var concatGradConfig = {
  kernelName: Concat2,
  saveAllInputs: true,
  gradFunc: (dy, saved, attrs) => {
    const shapes = saved.map((t) => t.shape);
    const { axis } = attrs;
    const $axis = parseAxisParam(axis, saved[0].shape)[0];
    const sizeSplits = shapes.map((s) => s[$axis]);
    const derTensors = split2(dy, sizeSplits, $axis);
    return derTensors.map((t) => () => t);
  }
};

// ops/conv2d_backprop_filter.js
function conv2DBackpropFilter_(x, dy, filterShape, strides, pad5, dataFormat = "NHWC", dimRoundingMode) {
  let x4D = x;
  if (x.rank === 3) {
    x4D = reshape2(x, [1, x.shape[0], x.shape[1], x.shape[2]]);
  }
  let dy4D = dy;
  if (dy4D.rank === 3) {
    dy4D = reshape2(dy, [1, dy.shape[0], dy.shape[1], dy.shape[2]]);
  }
  assert(x4D.rank === 4, () => `Error in conv2dDerFilter: input must be rank 4, but got shape ${x4D.shape}.`);
  assert(dy4D.rank === 4, () => `Error in conv2dDerFilter: dy must be rank 4, but got shape ${dy4D.shape}.`);
  assert(filterShape.length === 4, () => `Error in conv2dDerFilter: filterShape must be length 4, but got ${filterShape}.`);
  const inDepth = dataFormat === "NHWC" ? x4D.shape[3] : x4D.shape[1];
  const outDepth = dataFormat === "NHWC" ? dy4D.shape[3] : dy4D.shape[1];
  assert(inDepth === filterShape[2], () => `Error in conv2dDerFilter: depth of input ${inDepth}) must match input depth in filter (${filterShape[2]}.`);
  assert(outDepth === filterShape[3], () => `Error in conv2dDerFilter: depth of dy (${outDepth}) must match output depth for filter (${filterShape[3]}).`);
  checkPadOnDimRoundingMode("conv2dDerFilter", pad5, dimRoundingMode);
  const inputs = { x: x4D, dy: dy4D };
  const attrs = { strides, pad: pad5, dataFormat, dimRoundingMode, filterShape };
  return ENGINE.runKernel(Conv2DBackpropFilter2, inputs, attrs);
}
var conv2DBackpropFilter = /* @__PURE__ */ op2({ conv2DBackpropFilter_ });

// ops/conv2d_backprop_input.js
function conv2DBackpropInput_(xShape, dy, filter, strides, pad5, dataFormat = "NHWC", dimRoundingMode) {
  assert(xShape.length === dy.rank, () => `Length of inShape (${xShape.length}) and rank of dy (${dy.rank}) must match`);
  let xShape4D = xShape;
  let dy4D = dy;
  let reshapedTo4D = false;
  if (dy.rank === 3) {
    reshapedTo4D = true;
    dy4D = reshape2(dy, [1, dy.shape[0], dy.shape[1], dy.shape[2]]);
    xShape4D = [1, xShape[0], xShape[1], xShape[2]];
  }
  assert(xShape4D.length === 4, () => `Error in conv2dDerInput: inShape must be length 4, but got length ${xShape4D.length}.`);
  assert(dy4D.rank === 4, () => `Error in conv2dDerInput: dy must be rank 4, but got rank ${dy4D.rank}`);
  assert(filter.rank === 4, () => `Error in conv2dDerInput: filter must be rank 4, but got rank ${filter.rank}`);
  const inDepth = dataFormat === "NHWC" ? xShape4D[3] : xShape4D[1];
  const outDepth = dataFormat === "NHWC" ? dy4D.shape[3] : dy4D.shape[1];
  assert(inDepth === filter.shape[2], () => `Error in conv2dDerInput: depth of input (${inDepth}) must match input depth for filter ${filter.shape[2]}.`);
  assert(outDepth === filter.shape[3], () => `Error in conv2dDerInput: depth of output (${outDepth}) must match output depth for filter ${filter.shape[3]}.`);
  checkPadOnDimRoundingMode("conv2dDerInput", pad5, dimRoundingMode);
  const inputs = { dy: dy4D, filter };
  const attrs = { strides, pad: pad5, dataFormat, dimRoundingMode, inputShape: xShape4D };
  const res = ENGINE.runKernel(Conv2DBackpropInput2, inputs, attrs);
  if (reshapedTo4D) {
    return reshape2(res, [res.shape[1], res.shape[2], res.shape[3]]);
  }
  return res;
}
var conv2DBackpropInput = /* @__PURE__ */ op2({ conv2DBackpropInput_ });

// gradients/Conv2D_grad.js
var conv2DGradConfig = {
  kernelName: Conv2D2,
  inputsToSave: ["x", "filter"],
  gradFunc: (dy, saved, attrs) => {
    const [x4D, $filter] = saved;
    const { dilations, strides, pad: pad5, dataFormat } = attrs;
    assert(tupleValuesAreOne(dilations), () => `Error in gradient of conv2D: dilation rates greater than 1 are not yet supported in gradients. Got dilations '${dilations}'`);
    return {
      x: () => conv2DBackpropInput(x4D.shape, dy, $filter, strides, pad5, dataFormat),
      filter: () => conv2DBackpropFilter(x4D, dy, $filter.shape, strides, pad5, dataFormat)
    };
  }
};

// public:ops/conv2d.js
import * as tf30 from "@tensorflow/tfjs-core";
var conv2d2 = tf30.conv2d;

// gradients/Conv2DBackpropInput_grad.js
var conv2DBackpropInputGradConfig = {
  kernelName: Conv2DBackpropInput2,
  inputsToSave: ["dy", "filter"],
  gradFunc: (ddx, saved, attrs) => {
    const [dy, filter] = saved;
    const { strides, pad: pad5, dataFormat, dimRoundingMode } = attrs;
    return {
      dy: () => conv2d2(ddx, filter, strides, pad5, dataFormat, 1, dimRoundingMode),
      filter: () => conv2DBackpropFilter(ddx, dy, filter.shape, strides, pad5, dataFormat, dimRoundingMode)
    };
  }
};

// ops/conv3d_backprop_filter.js
function conv3DBackpropFilter_(x, dy, filterShape, strides, pad5) {
  let x5D = x;
  if (x.rank === 4) {
    x5D = reshape2(x, [1, x.shape[0], x.shape[1], x.shape[2], x.shape[3]]);
  }
  let dy5D = dy;
  if (dy5D.rank === 4) {
    dy5D = reshape2(dy, [1, dy.shape[0], dy.shape[1], dy.shape[2], dy.shape[3]]);
  }
  assert(x5D.rank === 5, () => `Error in conv3dDerFilter: input must be rank 5, but got shape ${x5D.shape}.`);
  assert(dy5D.rank === 5, () => `Error in conv3dDerFilter: dy must be rank 5, but got shape ${dy5D.shape}.`);
  assert(filterShape.length === 5, () => `Error in conv3dDerFilter: filterShape must be length 5, but got ${filterShape}.`);
  assert(x5D.shape[4] === filterShape[3], () => `Error in conv3dDerFilter: depth of input ${x5D.shape[4]}) must match input depth in filter (${filterShape[3]}.`);
  assert(dy5D.shape[4] === filterShape[4], () => `Error in conv3dDerFilter: depth of dy (${dy5D.shape[4]}) must match output depth for filter (${filterShape[4]}).`);
  const inputs = { x: x5D, dy: dy5D };
  const attrs = { strides, pad: pad5, filterShape };
  return ENGINE.runKernel(Conv3DBackpropFilterV22, inputs, attrs);
}
var conv3DBackpropFilter = /* @__PURE__ */ op2({ conv3DBackpropFilter_ });

// ops/conv3d_backprop_input.js
function conv3DBackpropInput_(xShape, dy, filter, strides, pad5) {
  assert(xShape.length === dy.rank, () => `Length of inShape (${xShape.length}) and rank of dy (${dy.rank}) must match`);
  let xShape5D = xShape;
  let dy5D = dy;
  let reshapedTo5D = false;
  if (dy.rank === 4) {
    reshapedTo5D = true;
    dy5D = reshape2(dy, [1, dy.shape[0], dy.shape[1], dy.shape[2], dy.shape[3]]);
    xShape5D = [1, xShape[0], xShape[1], xShape[2], xShape[3]];
  }
  const inDepth = xShape5D[4];
  const outDepth = dy5D.shape[4];
  assert(xShape5D.length === 5, () => `Error in conv3dDerInput: inShape must be length 5, but got length ${xShape5D.length}.`);
  assert(dy5D.rank === 5, () => `Error in conv3dDerInput: dy must be rank 5, but got rank ${dy5D.rank}`);
  assert(filter.rank === 5, () => `Error in conv3dDerInput: filter must be rank 5, but got rank ${filter.rank}`);
  assert(inDepth === filter.shape[3], () => `Error in conv3dDerInput: depth of input (${inDepth}) must match input depth for filter ${filter.shape[3]}.`);
  assert(outDepth === filter.shape[4], () => `Error in conv3dDerInput: depth of output (${outDepth}) must match output depth for filter ${filter.shape[4]}.`);
  const inputs = { dy: dy5D, filter };
  const attrs = { pad: pad5, strides, inputShape: xShape5D };
  const res = ENGINE.runKernel(Conv3DBackpropInputV22, inputs, attrs);
  if (reshapedTo5D) {
    return reshape2(res, [res.shape[1], res.shape[2], res.shape[3], res.shape[4]]);
  }
  return res;
}
var conv3DBackpropInput = /* @__PURE__ */ op2({ conv3DBackpropInput_ });

// gradients/Conv3D_grad.js
var conv3DGradConfig = {
  kernelName: Conv3D2,
  inputsToSave: ["x", "filter"],
  gradFunc: (dy, saved, attrs) => {
    const { dilations, strides, pad: pad5 } = attrs;
    assert(tupleValuesAreOne(dilations), () => `Error in gradient of conv3D: dilation rates greater than 1 are not yet supported in gradients. Got dilations '${dilations}'`);
    const [x5D, $filter] = saved;
    return {
      x: () => conv3DBackpropInput(x5D.shape, dy, $filter, strides, pad5),
      filter: () => conv3DBackpropFilter(x5D, dy, $filter.shape, strides, pad5)
    };
  }
};

// public:ops/sin.js
import * as tf31 from "@tensorflow/tfjs-core";
var sin2 = tf31.sin;

// gradients/Cos_grad.js
var cosGradConfig = {
  kernelName: Cos2,
  inputsToSave: ["x"],
  gradFunc: (dy, saved) => {
    const [x] = saved;
    return { x: () => mul2(neg2(sin2(cast2(x, "float32"))), dy) };
  }
};

// public:ops/sinh.js
import * as tf32 from "@tensorflow/tfjs-core";
var sinh2 = tf32.sinh;

// gradients/Cosh_grad.js
var coshGradConfig = {
  kernelName: Cosh2,
  inputsToSave: ["x"],
  gradFunc: (dy, saved) => {
    const [x] = saved;
    return { x: () => mul2(sinh2(cast2(x, "float32")), dy) };
  }
};

// public:ops/axis_util.js
import * as tf33 from "@tensorflow/tfjs-core";
var assertAxesAreInnerMostDims = tf33.backend_util.assertAxesAreInnerMostDims;
var axesAreInnerMostDims = tf33.backend_util.axesAreInnerMostDims;
var combineLocations = tf33.backend_util.combineLocations;
var computeOutAndReduceShapes = tf33.backend_util.computeOutAndReduceShapes;
var expandShapeToKeepDim = tf33.backend_util.expandShapeToKeepDim;
var getAxesPermutation = tf33.backend_util.getAxesPermutation;
var getInnerMostAxes = tf33.backend_util.getInnerMostAxes;
var getUndoAxesPermutation = tf33.backend_util.getUndoAxesPermutation;

// public:ops/cumsum.js
import * as tf34 from "@tensorflow/tfjs-core";
var cumsum2 = tf34.cumsum;

// public:ops/transpose.js
import * as tf35 from "@tensorflow/tfjs-core";
var transpose2 = tf35.transpose;

// gradients/Cumsum_grad.js
var cumsumGradConfig = {
  kernelName: Cumsum2,
  inputsToSave: ["x"],
  gradFunc: (dy, saved, attrs) => {
    const [x] = saved;
    const { axis, exclusive, reverse: reverse5 } = attrs;
    return {
      x: () => {
        const permutation = getAxesPermutation([axis], x.rank);
        let out = cumsum2(dy, axis, exclusive, !reverse5);
        if (permutation != null) {
          out = transpose2(out, permutation);
        }
        return out;
      }
    };
  }
};

// ops/depthwise_conv2d_native_backprop_filter.js
function depthwiseConv2dNativeBackpropFilter_(x, dy, filterShape, strides, pad5, dilations = [1, 1], dimRoundingMode) {
  let x4D = x;
  if (x.rank === 3) {
    x4D = reshape2(x, [1, x.shape[0], x.shape[1], x.shape[2]]);
  }
  let dy4D = dy;
  if (dy4D.rank === 3) {
    dy4D = reshape2(dy, [1, dy.shape[0], dy.shape[1], dy.shape[2]]);
  }
  const inputs = { x: x4D, dy: dy4D };
  const attrs = { strides, pad: pad5, dimRoundingMode, dilations, filterShape };
  return ENGINE.runKernel(DepthwiseConv2dNativeBackpropFilter2, inputs, attrs);
}
var depthwiseConv2dNativeBackpropFilter = op2({ depthwiseConv2dNativeBackpropFilter_ });

// ops/depthwise_conv2d_native_backprop_input.js
function depthwiseConv2dNativeBackpropInput_(xShape, dy, filter, strides, pad5, dilations = [1, 1], dimRoundingMode) {
  let dy4D = dy;
  let reshapedTo4D = false;
  if (dy.rank === 3) {
    reshapedTo4D = true;
    dy4D = reshape2(dy, [1, dy.shape[0], dy.shape[1], dy.shape[2]]);
  }
  const inputs = { dy: dy4D, filter };
  const attrs = { strides, pad: pad5, dimRoundingMode, dilations, inputShape: xShape };
  const res = (
    // tslint:disable-next-line: no-unnecessary-type-assertion
    ENGINE.runKernel(DepthwiseConv2dNativeBackpropInput2, inputs, attrs)
  );
  if (reshapedTo4D) {
    return reshape2(res, [res.shape[1], res.shape[2], res.shape[3]]);
  }
  return res;
}
var depthwiseConv2dNativeBackpropInput = op2({ depthwiseConv2dNativeBackpropInput_ });

// gradients/DepthwiseConv2dNative_grad.js
var depthwiseConv2dNativeGradConfig = {
  kernelName: DepthwiseConv2dNative2,
  inputsToSave: ["x", "filter"],
  gradFunc: (dy, saved, attrs) => {
    const { dilations, strides, pad: pad5, dimRoundingMode } = attrs;
    const $dilations = dilations == null ? [1, 1] : dilations;
    assert(tupleValuesAreOne($dilations), () => `Error in gradient of depthwiseConv2dNative: dilation rates greater than 1 are not yet supported. Got dilations '${$dilations}'`);
    const [x, filter] = saved;
    assert(x.rank === 4, () => `Error in gradient of depthwiseConv2dNative: input must be rank 4, but got rank ${x.rank}.`);
    assert(filter.rank === 4, () => `Error in gradient of depthwiseConv2dNative: filter must be rank 4, but got rank ${filter.rank}.`);
    assert(x.shape[3] === filter.shape[2], () => `Error in gradient of depthwiseConv2d: number of input channels (${x.shape[3]}) must match the inChannels dimension in filter ${filter.shape[2]}.`);
    assert(eitherStridesOrDilationsAreOne(strides, $dilations), () => `Error in gradient of depthwiseConv2d: Either strides or dilations must be  1. Got strides ${strides} and dilations '${$dilations}'.`);
    checkPadOnDimRoundingMode("depthwiseConv2d", pad5, dimRoundingMode);
    return {
      x: () => depthwiseConv2dNativeBackpropInput(x.shape, dy, filter, strides, pad5, $dilations, dimRoundingMode),
      filter: () => depthwiseConv2dNativeBackpropFilter(x, dy, filter.shape, strides, pad5, $dilations, dimRoundingMode)
    };
  }
};

// gradients/Dilation2D_grad.js
var dilation2dGradConfig = {
  kernelName: Dilation2D2,
  inputsToSave: ["x", "filter"],
  gradFunc: (dy, saved, attrs) => {
    const [x, filter] = saved;
    const inputInputs = { x, filter, dy };
    const filterInputs = { x, filter, dy };
    return {
      x: () => ENGINE.runKernel(Dilation2DBackpropInput2, inputInputs, attrs),
      filter: () => ENGINE.runKernel(Dilation2DBackpropFilter2, filterInputs, attrs)
    };
  }
};

// gradients/Elu_grad.js
var eluGradConfig = {
  kernelName: Elu2,
  outputsToSave: [true],
  gradFunc: (dy, saved) => {
    const [y] = saved;
    const inputs = { dy, y };
    return { x: () => ENGINE.runKernel(EluGrad2, inputs) };
  }
};

// public:ops/exp.js
import * as tf36 from "@tensorflow/tfjs-core";
var exp2 = tf36.exp;

// gradients/Erf_grad.js
var erfGradConfig = {
  kernelName: Erf2,
  inputsToSave: ["x"],
  gradFunc: (dy, saved) => {
    const [x] = saved;
    const a = mul2(exp2(neg2(square2(x))), 2 / Math.sqrt(Math.PI));
    return { x: () => mul2(dy, a) };
  }
};

// gradients/Exp_grad.js
var expGradConfig = {
  kernelName: Exp2,
  outputsToSave: [true],
  gradFunc: (dy, saved) => {
    const [y] = saved;
    return { x: () => mul2(dy, y) };
  }
};

// gradients/ExpandDims_grad.js
var expandDimsGradConfig = {
  kernelName: ExpandDims2,
  inputsToSave: ["input"],
  gradFunc: (dy, saved) => {
    const [input] = saved;
    return { input: () => reshape2(dy, input.shape) };
  }
};

// gradients/Expm1_grad.js
var expm1GradConfig = {
  kernelName: Expm12,
  inputsToSave: ["x"],
  gradFunc: (dy, saved) => {
    const [x] = saved;
    return { x: () => mul2(dy, exp2(x)) };
  }
};

// gradients/Floor_grad.js
var floorGradConfig = {
  kernelName: Floor2,
  gradFunc: (dy) => {
    return { x: () => zerosLike2(dy) };
  }
};

// gradients/FloorDiv_grad.js
var floorDivGradConfig = {
  kernelName: FloorDiv2,
  inputsToSave: ["a", "b"],
  gradFunc: (dy, saved) => {
    const [a, b] = saved;
    const outShape = assertAndGetBroadcastShape(a.shape, b.shape);
    const derA = () => {
      const res = div2(dy, cast2(b, "float32"));
      const reduceAxes = getReductionAxes(a.shape, outShape);
      if (reduceAxes.length > 0) {
        return reshape2(sum2(res, reduceAxes), a.shape);
      }
      return res;
    };
    const derB = () => {
      let res = mul2(dy, cast2(a, "float32"));
      const reduceAxes = getReductionAxes(b.shape, outShape);
      if (reduceAxes.length > 0) {
        res = reshape2(sum2(res, reduceAxes), b.shape);
      }
      const tmp = square2(b);
      return neg2(div2(res, cast2(tmp, "float32")));
    };
    return { a: derA, b: derB };
  }
};

// public:ops/rsqrt.js
import * as tf37 from "@tensorflow/tfjs-core";
var rsqrt2 = tf37.rsqrt;

// public:ops/tile.js
import * as tf38 from "@tensorflow/tfjs-core";
var tile2 = tf38.tile;

// gradients/FusedBatchNorm_grad.js
var fusedBatchNormGradConfig = {
  kernelName: FusedBatchNorm2,
  inputsToSave: ["x", "mean", "variance", "scale"],
  gradFunc: (dy, saved, attrs) => {
    const { varianceEpsilon } = attrs;
    const [x, mean5, variance, scale] = saved;
    const scaleValue = scale == null ? scalar2(1) : scale;
    const reductionAxes = getReductionAxes(mean5.shape, x.shape);
    const tileShape = [];
    if (mean5.rank === 1) {
      for (let i = 0; i < x.shape.length - 1; ++i) {
        tileShape.push(x.shape[i]);
      }
      tileShape.push(1);
    }
    const xMinusMean = sub2(x, mean5);
    const dyTimesScaleValue = mul2(dy, scaleValue);
    const oneOverSqrtVariance = rsqrt2(add2(variance, scalar2(varianceEpsilon)));
    const minusHalfRCube = mul2(mul2(mul2(oneOverSqrtVariance, oneOverSqrtVariance), oneOverSqrtVariance), scalar2(-0.5));
    const derX = () => {
      if (mean5.rank === 1) {
        return reshape2(mul2(mul2(dy, tile2(reshape2(oneOverSqrtVariance, [1, 1, 1, mean5.shape[0]]), tileShape)), scaleValue), x.shape);
      } else {
        return reshape2(mul2(mul2(dy, oneOverSqrtVariance), scaleValue), x.shape);
      }
    };
    const derMean = () => {
      let meanDer = mul2(mul2(oneOverSqrtVariance, scalar2(-1)), dyTimesScaleValue);
      if (mean5.rank === 1) {
        meanDer = sum2(meanDer, reductionAxes);
      }
      return reshape2(meanDer, mean5.shape);
    };
    const derVariance = () => {
      let varianceDer = mul2(mul2(minusHalfRCube, xMinusMean), dyTimesScaleValue);
      if (mean5.rank === 1) {
        varianceDer = sum2(varianceDer, reductionAxes);
      }
      return reshape2(varianceDer, mean5.shape);
    };
    const derScale = () => {
      const xMinusMean2TimesRsqrt = mul2(xMinusMean, oneOverSqrtVariance);
      let scaleDer = mul2(dy, xMinusMean2TimesRsqrt);
      if (mean5.rank === 1) {
        scaleDer = sum2(scaleDer, reductionAxes);
      }
      return reshape2(scaleDer, mean5.shape);
    };
    const derOffset = () => {
      let offsetDer = dy;
      if (mean5.rank === 1) {
        offsetDer = sum2(offsetDer, reductionAxes);
      }
      return reshape2(offsetDer, mean5.shape);
    };
    return {
      x: derX,
      mean: derMean,
      variance: derVariance,
      scale: derScale,
      offset: derOffset
    };
  }
};

// public:ops/stack.js
import * as tf39 from "@tensorflow/tfjs-core";
var stack2 = tf39.stack;

// public:ops/unsorted_segment_sum.js
import * as tf40 from "@tensorflow/tfjs-core";
var unsortedSegmentSum2 = tf40.unsortedSegmentSum;

// gradients/GatherV2_grad.js
var gatherGradConfig = {
  kernelName: GatherV22,
  inputsToSave: ["x", "indices"],
  gradFunc: (dy, saved, attrs) => {
    const [x, indices] = saved;
    const { axis, batchDims } = attrs;
    const parsedAxis = parseAxisParam(axis, x.shape)[0];
    const derXBatch = (x2, indices2, dy2) => {
      return () => {
        const paramsShape = x2.shape;
        const indicesSize = indices2.size;
        const outerShape = paramsShape.slice(0, parsedAxis);
        const outerDims = outerShape.length;
        const innerShape = paramsShape.slice(axis, paramsShape.length).slice(1);
        const innerDims = innerShape.length;
        const outerAxesIndices = arrayRange(0, outerDims);
        const innerAxesIndices = arrayRange(outerDims + 1, outerDims + 1 + innerDims);
        const valuesShape = arrayConcat([
          outerShape,
          [indicesSize],
          innerShape
        ]);
        const values = reshape2(dy2, valuesShape);
        const reshapedIndices = reshape2(indices2, [indicesSize]);
        const transposeDims = arrayConcat([[outerDims], outerAxesIndices, innerAxesIndices]);
        const valuesTranspose = transpose2(values, transposeDims);
        let paramsGrad = unsortedSegmentSum2(valuesTranspose, reshapedIndices, x2.shape[parsedAxis]);
        const invertTransposeDims = getUndoAxesPermutation(transposeDims);
        paramsGrad = transpose2(paramsGrad, invertTransposeDims);
        return paramsGrad;
      };
    };
    if (batchDims === 1) {
      const batchSize = x.shape[0];
      const xBatch = x.split(batchSize, 0);
      const derXBatched = () => {
        const stacked = stack2(xBatch.map((x2, i) => {
          return derXBatch(x2, indices.slice(i, 1), dy.slice(i, 1))();
        }));
        return stacked.reshape(x.shape);
      };
      return { x: derXBatched, indices: () => indices };
    } else {
      return { x: derXBatch(x, indices, dy), indices: () => indices };
    }
  }
};
function arrayRange(start, stop) {
  const result = [];
  for (let i = start; i < stop; ++i) {
    result.push(i);
  }
  return result;
}
function arrayConcat(arrays) {
  const result = [];
  for (let i = 0; i < arrays.length; ++i) {
    for (let j = 0; j < arrays[i].length; ++j) {
      result.push(arrays[i][j]);
    }
  }
  return result;
}

// gradients/GreaterEqual_grad.js
var greaterEqualGradConfig = {
  kernelName: GreaterEqual2,
  inputsToSave: ["a", "b"],
  gradFunc: (dy, saved) => {
    const [a, b] = saved;
    return { a: () => zerosLike2(a), b: () => zerosLike2(b) };
  }
};

// gradients/Identity_grad.js
var identityGradConfig = {
  kernelName: Identity2,
  gradFunc: (dy) => {
    return { x: () => cast2(dy, "float32") };
  }
};

// gradients/IsFinite_grad.js
var isFiniteGradConfig = {
  kernelName: IsFinite2,
  gradFunc: (dy) => {
    return { x: () => zerosLike2(dy) };
  }
};

// gradients/IsInf_grad.js
var isInfGradConfig = {
  kernelName: IsInf2,
  gradFunc: (dy) => {
    return { x: () => zerosLike2(dy) };
  }
};

// gradients/IsNan_grad.js
var isNanGradConfig = {
  kernelName: IsNan2,
  gradFunc: (dy) => {
    return { x: () => zerosLike2(dy) };
  }
};

// public:ops/greater.js
import * as tf41 from "@tensorflow/tfjs-core";
var greater2 = tf41.greater;

// gradients/LeakyRelu_grad.js
var leakyReluGradConfig = {
  kernelName: LeakyRelu2,
  inputsToSave: ["x"],
  gradFunc: (dy, saved, attrs) => {
    const [x] = saved;
    const { alpha } = attrs;
    const mask = greater2(x, 0);
    return { x: () => where2(mask, dy, mul2(dy, alpha)) };
  }
};

// gradients/Log1p_grad.js
var log1pGradConfig = {
  kernelName: Log1p2,
  inputsToSave: ["x"],
  gradFunc: (dy, saved) => {
    const [x] = saved;
    return { x: () => div2(dy, add2(x, 1)) };
  }
};

// gradients/Log_grad.js
var logGradConfig = {
  kernelName: Log2,
  inputsToSave: ["x"],
  gradFunc: (dy, saved) => {
    const [x] = saved;
    return { x: () => div2(dy, cast2(x, "float32")) };
  }
};

// gradients/LogSoftmax_grad.js
var logSoftmaxGradConfig = {
  kernelName: LogSoftmax2,
  inputsToSave: [],
  outputsToSave: [true],
  gradFunc: (dy, saved, attrs) => {
    const [value] = saved;
    const { axis } = attrs;
    return {
      logits: () => {
        const keepDims = true;
        const softmax4 = exp2(value);
        return sub2(dy, mul2(sum2(dy, axis, keepDims), softmax4));
      }
    };
  }
};

// ops/local_response_normalization_backprop.js
function localResponseNormalizationBackprop_(x, y, dy, depthRadius = 5, bias = 1, alpha = 1, beta = 0.5) {
  const inputs = { x, y, dy };
  const attrs = { depthRadius, bias, alpha, beta };
  return ENGINE.runKernel(LRNGrad2, inputs, attrs);
}
var localResponseNormalizationBackprop = op2({ localResponseNormalizationBackprop_ });

// gradients/LRN_grad.js
var lrnGradConfig = {
  kernelName: LRN2,
  inputsToSave: ["x"],
  outputsToSave: [true],
  gradFunc: (dy, saved, attrs) => {
    const [x, y] = saved;
    const { depthRadius, bias, alpha, beta } = attrs;
    return {
      x: () => localResponseNormalizationBackprop(x, y, dy, depthRadius, bias, alpha, beta)
    };
  }
};

// public:ops/equal.js
import * as tf42 from "@tensorflow/tfjs-core";
var equal2 = tf42.equal;

// gradients/min_max_grad_util.js
function gradForMinAndMax(dy, y, xOrig, origAxes) {
  if (y.rank < xOrig.rank) {
    y = reshape2(y, expandShapeToKeepDim(y.shape, origAxes));
  }
  if (dy.rank < xOrig.rank) {
    dy = reshape2(dy, expandShapeToKeepDim(dy.shape, origAxes));
  }
  return {
    x: () => {
      const dx = mul2(dy, cast2(equal2(xOrig, y), dy.dtype));
      return dx;
    }
  };
}

// gradients/Max_grad.js
var maxGradConfig = {
  kernelName: Max2,
  inputsToSave: ["x"],
  outputsToSave: [true],
  gradFunc: (dy, saved, attrs) => {
    const maxAttrs = attrs;
    const { reductionIndices } = maxAttrs;
    const x = saved[0];
    const y = saved[1];
    const origAxes = parseAxisParam(reductionIndices, x.shape);
    const maxGrad = gradForMinAndMax(dy, y, x, origAxes);
    return {
      x: () => {
        return maxGrad["x"]();
      }
    };
  }
};

// public:ops/less.js
import * as tf43 from "@tensorflow/tfjs-core";
var less2 = tf43.less;

// gradients/Maximum_grad.js
var maximumGradConfig = {
  kernelName: Maximum2,
  inputsToSave: ["a", "b"],
  gradFunc: (dy, saved) => {
    const [a, b] = saved;
    const derA = () => mul2(dy, cast2(greaterEqual2(a, b), "float32"));
    const derB = () => mul2(dy, cast2(less2(a, b), "float32"));
    return { a: derA, b: derB };
  }
};

// ops/max_pool_3d_grad.js
function maxPool3dGrad_(dy, input, output, filterSize, strides, pad5, dimRoundingMode) {
  const $dy = convertToTensor(dy, "dy", "maxPool3dGrad");
  const $input = convertToTensor(input, "input", "maxPool3dGrad");
  const $output = convertToTensor(output, "output", "maxPool3dGrad");
  let dy5D = $dy;
  let input5D = $input;
  let output5D = $output;
  let reshapedTo5D = false;
  if ($input.rank === 4) {
    reshapedTo5D = true;
    dy5D = reshape2($dy, [1, $dy.shape[0], $dy.shape[1], $dy.shape[2], $dy.shape[3]]);
    input5D = reshape2($input, [
      1,
      $input.shape[0],
      $input.shape[1],
      $input.shape[2],
      $input.shape[3]
    ]);
    output5D = reshape2($output, [
      1,
      $output.shape[0],
      $output.shape[1],
      $output.shape[2],
      $output.shape[3]
    ]);
  }
  assert(dy5D.rank === 5, () => `Error in maxPool3dGrad: dy must be rank 5 but got rank ${dy5D.rank}.`);
  assert(input5D.rank === 5, () => `Error in maxPool3dGrad: input must be rank 5 but got rank ${input5D.rank}.`);
  assert(output5D.rank === 5, () => `Error in maxPool3dGrad: output must be rank 5 but got rank ${output5D.rank}.`);
  checkPadOnDimRoundingMode("maxPool3dGrad", pad5, dimRoundingMode);
  const inputs = { dy: dy5D, input: input5D, output: output5D };
  const attrs = { filterSize, strides, pad: pad5, dimRoundingMode };
  const res = ENGINE.runKernel(MaxPool3DGrad2, inputs, attrs);
  if (reshapedTo5D) {
    return reshape2(res, [res.shape[1], res.shape[2], res.shape[3], res.shape[4]]);
  }
  return res;
}
var maxPool3dGrad = /* @__PURE__ */ op2({ maxPool3dGrad_ });

// gradients/MaxPool3D_grad.js
var maxPool3DGradConfig = {
  kernelName: MaxPool3D2,
  inputsToSave: ["x"],
  outputsToSave: [true],
  gradFunc: (dy, saved, attrs) => {
    const [x, y] = saved;
    const { filterSize, strides, pad: pad5, dimRoundingMode } = attrs;
    return {
      x: () => maxPool3dGrad(dy, x, y, filterSize, strides, pad5, dimRoundingMode)
    };
  }
};

// ops/max_pool_grad.js
function maxPoolGrad_(dy, input, output, filterSize, strides, pad5, dimRoundingMode) {
  const $dy = convertToTensor(dy, "dy", "maxPoolGrad");
  const $input = convertToTensor(input, "input", "maxPoolGrad");
  const $output = convertToTensor(output, "output", "maxPoolGrad");
  assert($input.rank === $dy.rank, () => `Rank of input (${$input.rank}) does not match rank of dy (${$dy.rank})`);
  assert($dy.rank === 4, () => `Error in maxPoolGrad: dy must be rank 4 but got rank ${$dy.rank}.`);
  assert($input.rank === 4, () => `Error in maxPoolGrad: input must be rank 4 but got rank ${$input.rank}.`);
  checkPadOnDimRoundingMode("maxPoolGrad", pad5, dimRoundingMode);
  const inputs = { dy: $dy, input: $input, output: $output };
  const attrs = { filterSize, strides, pad: pad5, dimRoundingMode };
  return ENGINE.runKernel(MaxPoolGrad2, inputs, attrs);
}
var maxPoolGrad = /* @__PURE__ */ op2({ maxPoolGrad_ });

// gradients/MaxPool_grad.js
var maxPoolGradConfig = {
  kernelName: MaxPool2,
  inputsToSave: ["x"],
  outputsToSave: [true],
  gradFunc: (dy, saved, attrs) => {
    const [x, y] = saved;
    const { filterSize, strides, pad: pad5 } = attrs;
    return {
      x: () => maxPoolGrad(dy, x, y, filterSize, strides, pad5)
    };
  }
};

// public:ops/ones.js
import * as tf44 from "@tensorflow/tfjs-core";
var ones2 = tf44.ones;

// gradients/Mean_grad.js
var meanGradConfig = {
  kernelName: Mean2,
  inputsToSave: ["x"],
  gradFunc: (dy, saved, attrs) => {
    const [x] = saved;
    const { axis } = attrs;
    const axes = parseAxisParam(axis, x.shape);
    const shapes = computeOutAndReduceShapes(x.shape, axes);
    const reduceShape = shapes[1];
    const reduceSize = sizeFromShape(reduceShape);
    const derX = () => {
      const expandedDyShape = x.shape.slice();
      axes.forEach((axis2) => {
        expandedDyShape[axis2] = 1;
      });
      const expandedDy = reshape2(dy, expandedDyShape);
      const res = div2(mul2(expandedDy, ones2(x.shape, "float32")), reduceSize);
      return res;
    };
    return { x: derX };
  }
};

// gradients/Min_grad.js
var minGradConfig = {
  kernelName: Min2,
  inputsToSave: ["x"],
  outputsToSave: [true],
  gradFunc: (dy, saved, attrs) => {
    const minAttrs = attrs;
    const { axis } = minAttrs;
    const [x, y] = saved;
    const origAxes = parseAxisParam(axis, x.shape);
    const minGrad = gradForMinAndMax(dy, y, x, origAxes);
    return {
      x: () => {
        return minGrad["x"]();
      }
    };
  }
};

// gradients/Minimum_grad.js
var minimumGradConfig = {
  kernelName: Minimum2,
  inputsToSave: ["a", "b"],
  gradFunc: (dy, saved) => {
    const [a, b] = saved;
    const derA = () => mul2(dy, cast2(lessEqual2(a, b), "float32"));
    const derB = () => mul2(dy, cast2(greater2(a, b), "float32"));
    return { a: derA, b: derB };
  }
};

// public:ops/slice.js
import * as tf45 from "@tensorflow/tfjs-core";
var slice2 = tf45.slice;

// gradients/MirrorPad_grad.js
var mirrorPadGradConfig = {
  kernelName: MirrorPad2,
  inputsToSave: ["x"],
  gradFunc: (dy, saved, attrs) => {
    const x = saved[0];
    const { paddings } = attrs;
    const begin = paddings.map((p) => p[0]);
    return { x: () => slice2(dy, begin, x.shape) };
  }
};

// public:ops/floor.js
import * as tf46 from "@tensorflow/tfjs-core";
var floor2 = tf46.floor;

// gradients/Mod_grad.js
var modGradConfig = {
  kernelName: Mod2,
  inputsToSave: ["a", "b"],
  gradFunc: (dy, saved) => {
    const [a, b] = saved;
    const outShape = assertAndGetBroadcastShape(a.shape, b.shape);
    const derA = () => {
      const reduceAxes = getReductionAxes(a.shape, outShape);
      if (reduceAxes.length > 0) {
        return reshape2(sum2(dy, reduceAxes), a.shape);
      }
      return dy;
    };
    const derB = () => {
      const res = mul2(dy, neg2(floor2(div2(a, b))));
      const reduceAxes = getReductionAxes(b.shape, outShape);
      if (reduceAxes.length > 0) {
        return reshape2(sum2(res, reduceAxes), b.shape);
      }
      return res;
    };
    return { a: derA, b: derB };
  }
};

// gradients/Multiply_grad.js
var multiplyGradConfig = {
  kernelName: Multiply2,
  inputsToSave: ["a", "b"],
  gradFunc: (dy, saved) => {
    const [a, b] = saved;
    const outShape = assertAndGetBroadcastShape(a.shape, b.shape);
    const derA = () => {
      const res = mul2(dy, cast2(b, "float32"));
      const reduceAxes = getReductionAxes(a.shape, outShape);
      if (reduceAxes.length > 0) {
        return reshape2(sum2(res, reduceAxes), a.shape);
      }
      return res;
    };
    const derB = () => {
      const res = mul2(dy, cast2(a, "float32"));
      const reduceAxes = getReductionAxes(b.shape, outShape);
      if (reduceAxes.length > 0) {
        return reshape2(sum2(res, reduceAxes), b.shape);
      }
      return res;
    };
    return { a: derA, b: derB };
  }
};

// gradients/Neg_grad.js
var negGradConfig = {
  kernelName: Neg2,
  gradFunc: (dy) => {
    return { x: () => neg2(dy) };
  }
};

// public:ops/zeros.js
import * as tf47 from "@tensorflow/tfjs-core";
var zeros2 = tf47.zeros;

// gradients/OneHot_grad.js
var oneHotGradConfig = {
  kernelName: OneHot2,
  inputsToSave: ["indices"],
  gradFunc: (dy, saved) => {
    const indices = saved[0];
    return { indices: () => zeros2(indices.shape, "float32") };
  }
};

// gradients/OnesLike_grad.js
var onesLikeGradConfig = {
  kernelName: OnesLike2,
  gradFunc: (dy) => {
    return { x: () => zerosLike2(dy) };
  }
};

// public:ops/unstack.js
import * as tf48 from "@tensorflow/tfjs-core";
var unstack2 = tf48.unstack;

// gradients/Pack_grad.js
var packGradConfig = {
  kernelName: Pack2,
  saveAllInputs: true,
  gradFunc: (dy, saved, attrs) => {
    const { axis } = attrs;
    const derTensors = unstack2(dy, axis);
    return derTensors.map((t) => () => t);
  }
};

// gradients/PadV2_grad.js
var padV2GradConfig = {
  kernelName: PadV22,
  inputsToSave: ["x"],
  gradFunc: (dy, saved, attrs) => {
    const x = saved[0];
    const { paddings } = attrs;
    const begin = paddings.map((p) => p[0]);
    return { x: () => slice2(dy, begin, x.shape) };
  }
};

// public:ops/log.js
import * as tf49 from "@tensorflow/tfjs-core";
var log2 = tf49.log;

// public:ops/pow.js
import * as tf50 from "@tensorflow/tfjs-core";
var pow2 = tf50.pow;

// gradients/Pow_grad.js
var powGradConfig = {
  kernelName: Pow2,
  inputsToSave: ["a", "b"],
  outputsToSave: [true],
  gradFunc: (dy, saved) => {
    const [a, b, y] = saved;
    const base = a;
    const exp6 = b;
    const outShape = assertAndGetBroadcastShape(base.shape, exp6.shape);
    const derBase = () => {
      const expFloat = cast2(exp6, "float32");
      let res = mul2(dy, mul2(expFloat, pow2(base, sub2(expFloat, scalar2(1)))));
      const reduceAxes = getReductionAxes(base.shape, outShape);
      if (reduceAxes.length > 0) {
        res = sum2(res, reduceAxes);
      }
      return reshape2(res, base.shape);
    };
    const derExp = () => {
      const condition = greater2(base, 0);
      const logBase = where2(condition, log2(base), zerosLike2(base));
      let res = mul2(dy, mul2(y, logBase));
      const reduceAxes = getReductionAxes(exp6.shape, outShape);
      if (reduceAxes.length > 0) {
        res = sum2(res, reduceAxes);
      }
      return reshape2(res, exp6.shape);
    };
    return { a: derBase, b: derExp };
  }
};

// gradients/Prelu_grad.js
var preluGradConfig = {
  kernelName: Prelu2,
  inputsToSave: ["x", "alpha"],
  gradFunc: (dy, saved) => {
    const [x, alpha] = saved;
    const mask = greater2(x, 0);
    return {
      x: () => where2(mask, dy, mul2(dy, alpha)),
      alpha: () => {
        let res = where2(mask, zerosLike2(dy), mul2(dy, x));
        const reduceAxes = getReductionAxes(alpha.shape, dy.shape);
        if (reduceAxes.length > 0) {
          res = sum2(res, reduceAxes);
        }
        return reshape2(res, alpha.shape);
      }
    };
  }
};

// public:base.js
import * as tf51 from "@tensorflow/tfjs-core";
var backend_util5 = tf51.backend_util;

// public:ops/cumprod.js
import * as tf52 from "@tensorflow/tfjs-core";
var cumprod3 = tf52.cumprod;

// gradients/Prod_grad.js
function prodGradFn_(x, dy, axis) {
  const expandedYShape = x.shape.slice();
  expandedYShape[axis] = 1;
  const expandedDy = reshape2(dy, expandedYShape);
  const xCumProd = cumprod3(x, axis, true, false);
  const xCumRevProd = cumprod3(x, axis, true, true);
  const dx = mul2(xCumProd, xCumRevProd);
  return mul2(expandedDy, dx);
}
function prodsGradFn_(x, dy, axis) {
  const xRank = x.shape.length;
  const finalProdAxis = xRank - axis.length;
  const xPermutation = backend_util5.getAxesPermutation(axis, xRank);
  let permutedX = x;
  if (xPermutation != null) {
    permutedX = transpose2(x, xPermutation);
  }
  const newShape = permutedX.shape.slice();
  const removedShape = newShape.splice(xRank - axis.length, axis.length);
  const endPartShape = removedShape.reduce((p, c) => p * c, 1);
  newShape.push(endPartShape);
  const reshapedPermutedX = permutedX.reshape(newShape);
  let prodGrad = prodGradFn_(reshapedPermutedX, dy, finalProdAxis);
  prodGrad = prodGrad.reshape(permutedX.shape);
  if (xPermutation != null) {
    const undoPermutation = backend_util5.getUndoAxesPermutation(xPermutation);
    prodGrad = transpose2(prodGrad, undoPermutation);
  }
  return prodGrad;
}
var prodGradConfig = {
  kernelName: Prod2,
  inputsToSave: ["x"],
  gradFunc: (dy, saved, attrs) => {
    const [x] = saved;
    const { axis } = attrs;
    let axisArr = [];
    if (axis === void 0 || axis === null) {
      axisArr = x.shape.map((_, i) => i);
    } else if (typeof axis === "number") {
      axisArr = [axis];
    } else {
      axisArr = axis;
    }
    return { x: () => prodsGradFn_(x, dy, axisArr) };
  }
};

// gradients/RealDiv_grad.js
var divGradConfig = {
  kernelName: RealDiv2,
  inputsToSave: ["a", "b"],
  gradFunc: (dy, saved) => {
    const [a, b] = saved;
    const outShape = assertAndGetBroadcastShape(a.shape, b.shape);
    const derA = () => {
      const res = div2(dy, cast2(b, "float32"));
      const reduceAxes = getReductionAxes(a.shape, outShape);
      if (reduceAxes.length > 0) {
        return reshape2(sum2(res, reduceAxes), a.shape);
      }
      return res;
    };
    const derB = () => {
      let res = mul2(dy, cast2(a, "float32"));
      const reduceAxes = getReductionAxes(b.shape, outShape);
      if (reduceAxes.length > 0) {
        res = reshape2(sum2(res, reduceAxes), b.shape);
      }
      const tmp = square2(b);
      return neg2(div2(res, cast2(tmp, "float32")));
    };
    return { a: derA, b: derB };
  }
};

// gradients/Reciprocal_grad.js
var reciprocalGradConfig = {
  kernelName: Reciprocal2,
  inputsToSave: ["x"],
  gradFunc: (dy, saved) => {
    const [x] = saved;
    return { x: () => div2(dy, neg2(square2(x))) };
  }
};

// gradients/Relu6_grad.js
var relu6GradConfig = {
  kernelName: Relu62,
  inputsToSave: ["x"],
  gradFunc: (dy, saved) => {
    const [x] = saved;
    const mask = mul2(lessEqual2(x, 6), step2(x));
    return { x: () => mul2(dy, cast2(mask, "float32")) };
  }
};

// gradients/Relu_grad.js
var reluGradConfig = {
  kernelName: Relu2,
  inputsToSave: ["x"],
  gradFunc: (dy, saved) => {
    const [x] = saved;
    return { x: () => mul2(dy, cast2(step2(x), "float32")) };
  }
};

// gradients/Reshape_grad.js
var reshapeGradConfig = {
  kernelName: Reshape2,
  inputsToSave: ["x"],
  gradFunc: (dy, saved) => {
    const [x] = saved;
    return { x: () => reshape2(dy, x.shape) };
  }
};

// gradients/ResizeBilinear_grad.js
var resizeBilinearGradConfig = {
  kernelName: ResizeBilinear2,
  inputsToSave: ["images"],
  gradFunc: (dy, saved, attrs) => {
    const [images] = saved;
    const inputs = { dy, images };
    const imagesDer = () => (
      // tslint:disable-next-line: no-unnecessary-type-assertion
      ENGINE.runKernel(ResizeBilinearGrad2, inputs, attrs)
    );
    return { images: imagesDer };
  }
};

// gradients/ResizeNearestNeighbor_grad.js
var resizeNearestNeighborGradConfig = {
  kernelName: ResizeNearestNeighbor2,
  inputsToSave: ["images"],
  gradFunc: (dy, saved, attrs) => {
    const [images] = saved;
    const inputs = { dy, images };
    const imagesDer = () => (
      // tslint:disable-next-line: no-unnecessary-type-assertion
      ENGINE.runKernel(ResizeNearestNeighborGrad2, inputs, attrs)
    );
    return { images: imagesDer };
  }
};

// public:ops/reverse.js
import * as tf53 from "@tensorflow/tfjs-core";
var reverse3 = tf53.reverse;

// gradients/Reverse_grad.js
var reverseGradConfig = {
  kernelName: Reverse2,
  gradFunc: (dy, saved, attrs) => {
    const { dims } = attrs;
    const axes = parseAxisParam(dims, dy.shape);
    return { x: () => reverse3(dy, axes) };
  }
};

// gradients/Round_grad.js
var roundGradConfig = {
  kernelName: Round2,
  gradFunc: (dy) => {
    return { x: () => zerosLike2(dy) };
  }
};

// gradients/Rsqrt_grad.js
var rsqrtGradConfig = {
  kernelName: Rsqrt2,
  inputsToSave: ["x"],
  gradFunc: (dy, saved) => {
    const [x] = saved;
    return { x: () => neg2(div2(dy, mul2(pow2(x, 1.5), 2))) };
  }
};

// public:ops/logical_not.js
import * as tf54 from "@tensorflow/tfjs-core";
var logicalNot3 = tf54.logicalNot;

// gradients/Select_grad.js
var selectGradConfig = {
  kernelName: Select2,
  inputsToSave: ["condition"],
  gradFunc: (dy, saved) => {
    const [condition] = saved;
    return {
      // TODO(julianoks): Return null for condition gradient
      // when backprop supports it.
      condition: () => cast2(zerosLike2(condition), "float32"),
      t: () => mul2(dy, cast2(condition, dy.dtype)),
      e: () => mul2(dy, cast2(logicalNot3(condition), dy.dtype))
    };
  }
};

// public:ops/selu_util.js
import * as tf55 from "@tensorflow/tfjs-core";
var SELU_SCALE = tf55.backend_util.SELU_SCALE;
var SELU_SCALEALPHA = tf55.backend_util.SELU_SCALEALPHA;

// gradients/Selu_grad.js
var seluGradConfig = {
  kernelName: Selu2,
  inputsToSave: ["x"],
  gradFunc: (dy, saved) => {
    const [x] = saved;
    return {
      x: () => {
        const mask = greater2(x, scalar2(0));
        const scaleAlpha = scalar2(SELU_SCALEALPHA);
        const scale = scalar2(SELU_SCALE);
        const greaterThanZeroDer = mul2(dy, scale);
        const lessEqualZeroDer = mul2(mul2(dy, scaleAlpha), exp2(cast2(x, "float32")));
        return where2(mask, greaterThanZeroDer, lessEqualZeroDer);
      }
    };
  }
};

// gradients/Sigmoid_grad.js
var sigmoidGradConfig = {
  kernelName: Sigmoid2,
  outputsToSave: [true],
  gradFunc: (dy, saved) => {
    const [y] = saved;
    return { x: () => mul2(dy, mul2(y, sub2(scalar2(1), y))) };
  }
};

// gradients/Sign_grad.js
var signGradConfig = {
  kernelName: Sign2,
  gradFunc: (dy) => {
    return { x: () => zerosLike2(dy) };
  }
};

// public:ops/cos.js
import * as tf56 from "@tensorflow/tfjs-core";
var cos3 = tf56.cos;

// gradients/Sin_grad.js
var sinGradConfig = {
  kernelName: Sin2,
  inputsToSave: ["x"],
  gradFunc: (dy, saved) => {
    const [x] = saved;
    return { x: () => mul2(cos3(cast2(x, "float32")), dy) };
  }
};

// public:ops/cosh.js
import * as tf57 from "@tensorflow/tfjs-core";
var cosh3 = tf57.cosh;

// gradients/Sinh_grad.js
var sinhGradConfig = {
  kernelName: Sinh2,
  inputsToSave: ["x"],
  gradFunc: (dy, saved) => {
    const [x] = saved;
    return { x: () => mul2(cosh3(cast2(x, "float32")), dy) };
  }
};

// public:ops/pad.js
import * as tf58 from "@tensorflow/tfjs-core";
var pad3 = tf58.pad;

// public:ops/slice_util.js
import * as tf59 from "@tensorflow/tfjs-core";
var assertParamsValid = tf59.slice_util.assertParamsValid;
var computeFlatOffset = tf59.slice_util.computeFlatOffset;
var computeOutShape = tf59.slice_util.computeOutShape;
var getNormalizedAxes = tf59.slice_util.getNormalizedAxes;
var isSliceContinous = tf59.slice_util.isSliceContinous;
var maskToAxes = tf59.slice_util.maskToAxes;
var parseSliceParams = tf59.slice_util.parseSliceParams;
var sliceInfo = tf59.slice_util.sliceInfo;
var startForAxis = tf59.slice_util.startForAxis;
var startIndicesWithElidedDims = tf59.slice_util.startIndicesWithElidedDims;
var stopForAxis = tf59.slice_util.stopForAxis;
var stopIndicesWithElidedDims = tf59.slice_util.stopIndicesWithElidedDims;
var stridesForAxis = tf59.slice_util.stridesForAxis;
var stridesWithElidedDims = tf59.slice_util.stridesWithElidedDims;

// gradients/Slice_grad.js
var sliceGradConfig = {
  kernelName: Slice2,
  inputsToSave: ["x"],
  gradFunc: (dy, saved, attrs) => {
    const [x] = saved;
    const { begin, size } = attrs;
    const inputShape = x.shape;
    const [begin_, size_] = parseSliceParams(x, begin, size);
    const paddings = [];
    for (let i = 0; i < dy.rank; i++) {
      paddings.push([begin_[i], inputShape[i] - begin_[i] - size_[i]]);
    }
    return { x: () => pad3(dy, paddings) };
  }
};

// gradients/Softmax_grad.js
var softmaxGradConfig = {
  kernelName: Softmax2,
  outputsToSave: [true],
  gradFunc: (dy, saved, attrs) => {
    const [y] = saved;
    const { dim } = attrs;
    const keepDims = true;
    const dyTimesY = mul2(dy, y);
    return {
      logits: () => sub2(dyTimesY, mul2(sum2(dyTimesY, [dim], keepDims), y))
    };
  }
};

// public:ops/sigmoid.js
import * as tf60 from "@tensorflow/tfjs-core";
var sigmoid3 = tf60.sigmoid;

// gradients/Softplus_grad.js
var softplusGradConfig = {
  kernelName: Softplus2,
  inputsToSave: ["x"],
  gradFunc: (dy, saved) => {
    const [x] = saved;
    return { x: () => mul2(dy, sigmoid3(x)) };
  }
};

// public:ops/batch_to_space_nd.js
import * as tf61 from "@tensorflow/tfjs-core";
var batchToSpaceND3 = tf61.batchToSpaceND;

// gradients/SpaceToBatchND_grad.js
var spaceToBatchNDGradConfig = {
  kernelName: SpaceToBatchND2,
  gradFunc: (dy, saved, attrs) => {
    const { blockShape, paddings } = attrs;
    return { x: () => batchToSpaceND3(dy, blockShape, paddings) };
  }
};

// public:ops/concat.js
import * as tf62 from "@tensorflow/tfjs-core";
var concat3 = tf62.concat;

// gradients/SplitV_grad.js
var splitVGradConfig = {
  kernelName: SplitV2,
  gradFunc: (dy, saved, attrs) => {
    const { axis } = attrs;
    return { x: () => concat3(dy, axis) };
  }
};

// gradients/Sqrt_grad.js
var sqrtGradConfig = {
  kernelName: Sqrt2,
  inputsToSave: ["x"],
  gradFunc: (dy, saved) => {
    const [x] = saved;
    return { x: () => div2(dy, mul2(sqrt2(cast2(x, "float32")), 2)) };
  }
};

// gradients/Square_grad.js
var squareGradConfig = {
  kernelName: Square2,
  inputsToSave: ["x"],
  gradFunc: (dy, saved) => {
    const [x] = saved;
    return { x: () => mul2(dy, mul2(cast2(x, "float32"), 2)) };
  }
};

// gradients/SquaredDifference_grad.js
var squaredDifferenceGradConfig = {
  kernelName: SquaredDifference2,
  inputsToSave: ["a", "b"],
  gradFunc: (dy, saved) => {
    const [a, b] = saved;
    const two = scalar2(2);
    const derA = () => mul2(dy, mul2(two, sub2(a, b)));
    const derB = () => mul2(dy, mul2(two, sub2(b, a)));
    return { a: derA, b: derB };
  }
};

// gradients/Step_grad.js
var stepGradConfig = {
  kernelName: Step2,
  gradFunc: (dy) => {
    return { x: () => zerosLike2(dy) };
  }
};

// gradients/Sub_grad.js
var subGradConfig = {
  kernelName: Sub2,
  inputsToSave: ["a", "b"],
  gradFunc: (dy, saved) => {
    const [a, b] = saved;
    const outShape = assertAndGetBroadcastShape(a.shape, b.shape);
    const derA = () => {
      let res = dy;
      const reduceAxes = getReductionAxes(a.shape, outShape);
      if (reduceAxes.length > 0) {
        res = sum2(res, reduceAxes);
      }
      return reshape2(res, a.shape);
    };
    const derB = () => {
      let res = dy;
      const reduceAxes = getReductionAxes(b.shape, outShape);
      if (reduceAxes.length > 0) {
        res = sum2(res, reduceAxes);
      }
      return reshape2(neg2(res), b.shape);
    };
    return { a: derA, b: derB };
  }
};

// gradients/Sum_grad.js
var sumGradConfig = {
  kernelName: Sum2,
  inputsToSave: ["x"],
  gradFunc: (dy, saved, attrs) => {
    const [x] = saved;
    const expandedDyShape = x.shape.slice();
    const { axis } = attrs;
    const axes = parseAxisParam(axis, x.shape);
    axes.forEach((axis2) => {
      expandedDyShape[axis2] = 1;
    });
    const expandedDy = reshape2(dy, expandedDyShape);
    const derX = mul2(expandedDy, ones2(x.shape, "float32"));
    return { x: () => derX };
  }
};

// gradients/Tan_grad.js
var tanGradConfig = {
  kernelName: Tan2,
  inputsToSave: ["x"],
  gradFunc: (dy, saved) => {
    const [x] = saved;
    return { x: () => div2(dy, square2(cos3(x))) };
  }
};

// gradients/Tanh_grad.js
var tanhGradConfig = {
  kernelName: Tanh2,
  outputsToSave: [true],
  gradFunc: (dy, saved) => {
    const [y] = saved;
    return { x: () => mul2(sub2(scalar2(1), square2(y)), dy) };
  }
};

// gradients/Tile_grad.js
var tileGradConfig = {
  kernelName: Tile2,
  inputsToSave: ["x"],
  gradFunc: (dy, saved, attrs) => {
    const [x] = saved;
    const { reps } = attrs;
    const derX = () => {
      let xGrad = zerosLike2(x);
      if (x.rank === 1) {
        for (let i = 0; i < reps[0]; ++i) {
          xGrad = add2(xGrad, slice2(dy, [i * x.shape[0]], [x.shape[0]]));
        }
      } else if (x.rank === 2) {
        for (let i = 0; i < reps[0]; ++i) {
          for (let j = 0; j < reps[1]; ++j) {
            xGrad = add2(xGrad, slice2(dy, [i * x.shape[0], j * x.shape[1]], [
              x.shape[0],
              x.shape[1]
            ]));
          }
        }
      } else if (x.rank === 3) {
        for (let i = 0; i < reps[0]; ++i) {
          for (let j = 0; j < reps[1]; ++j) {
            for (let k = 0; k < reps[2]; ++k) {
              xGrad = add2(xGrad, slice2(dy, [i * x.shape[0], j * x.shape[1], k * x.shape[2]], [x.shape[0], x.shape[1], x.shape[2]]));
            }
          }
        }
      } else if (x.rank === 4) {
        for (let i = 0; i < reps[0]; ++i) {
          for (let j = 0; j < reps[1]; ++j) {
            for (let k = 0; k < reps[2]; ++k) {
              for (let l = 0; l < reps[3]; ++l) {
                xGrad = add2(xGrad, slice2(dy, [
                  i * x.shape[0],
                  j * x.shape[1],
                  k * x.shape[2],
                  l * x.shape[3]
                ], [x.shape[0], x.shape[1], x.shape[2], x.shape[3]]));
              }
            }
          }
        }
      } else {
        throw new Error(`Gradient for tile operation is not implemented for rank-${x.rank} tensors yet.`);
      }
      return xGrad;
    };
    return { x: derX };
  }
};

// gradients/Transpose_grad.js
var transposeGradConfig = {
  kernelName: Transpose2,
  gradFunc: (dy, saved, attrs) => {
    const transposeAttrs = attrs;
    const { perm } = transposeAttrs;
    const undoPerm = getUndoAxesPermutation(perm);
    return { x: () => transpose2(dy, undoPerm) };
  }
};

// gradients/Unpack_grad.js
var unpackGradConfig = {
  kernelName: Unpack2,
  gradFunc: (dy, saved, attrs) => {
    const unpackAttrs = attrs;
    const { axis } = unpackAttrs;
    return { value: () => stack2(dy, axis) };
  }
};

// public:ops/expand_dims.js
import * as tf63 from "@tensorflow/tfjs-core";
var expandDims3 = tf63.expandDims;

// public:ops/gather.js
import * as tf64 from "@tensorflow/tfjs-core";
var gather3 = tf64.gather;

// public:ops/maximum.js
import * as tf65 from "@tensorflow/tfjs-core";
var maximum3 = tf65.maximum;

// gradients/UnsortedSegmentSum_grad.js
var unsortedSegmentSumGradConfig = {
  kernelName: UnsortedSegmentSum2,
  inputsToSave: ["segmentIds"],
  gradFunc: (dy, saved) => {
    const [segmentIds] = saved;
    const derX = () => {
      return gatherDropNegatives(dy, segmentIds);
    };
    return { x: derX };
  }
};
function gatherDropNegatives(x, indices) {
  const zeroClippedIndices = maximum3(indices, zerosLike2(indices));
  const gathered = gather3(x, zeroClippedIndices);
  let isPositive = greaterEqual2(indices, scalar2(0, "int32"));
  const numIters = gathered.rank - isPositive.rank;
  for (let i = 0; i < numIters; ++i) {
    isPositive = expandDims3(isPositive, i + 1);
  }
  isPositive = logicalAnd2(isPositive, ones2(gathered.shape, "bool"));
  const zeroSlice = zerosLike2(gathered);
  return where2(isPositive, gathered, zeroSlice);
}

// gradients/ZerosLike_grad.js
var zerosLikeGradConfig = {
  kernelName: ZerosLike2,
  gradFunc: (dy) => {
    return { x: () => zerosLike2(dy) };
  }
};

// public:kernel_registry.js
import * as tf66 from "@tensorflow/tfjs-core";
var registerGradient3 = tf66.registerGradient;

// register_all_gradients.js
var gradConfigs = [
  absGradConfig,
  acosGradConfig,
  acoshGradConfig,
  addGradConfig,
  addNGradConfig,
  argMaxGradConfig,
  argMinGradConfig,
  asinGradConfig,
  asinhGradConfig,
  atan2GradConfig,
  atanGradConfig,
  atanhGradConfig,
  avgPool3DGradConfig,
  avgPoolGradConfig,
  batchMatMulGradConfig,
  batchToSpaceNDGradConfig,
  broadcastToGradConfig,
  castGradConfig,
  ceilGradConfig,
  clipByValueGradConfig,
  complexAbsGradConfig,
  concatGradConfig,
  conv2DBackpropInputGradConfig,
  conv2DGradConfig,
  conv3DGradConfig,
  cosGradConfig,
  coshGradConfig,
  cumsumGradConfig,
  depthwiseConv2dNativeGradConfig,
  dilation2dGradConfig,
  divGradConfig,
  eluGradConfig,
  erfGradConfig,
  expGradConfig,
  expandDimsGradConfig,
  expm1GradConfig,
  floorDivGradConfig,
  floorGradConfig,
  fusedBatchNormGradConfig,
  gatherGradConfig,
  greaterEqualGradConfig,
  identityGradConfig,
  isFiniteGradConfig,
  isInfGradConfig,
  isNanGradConfig,
  leakyReluGradConfig,
  log1pGradConfig,
  logGradConfig,
  logSoftmaxGradConfig,
  lrnGradConfig,
  maxGradConfig,
  maxGradConfig,
  maximumGradConfig,
  maxPool3DGradConfig,
  maxPoolGradConfig,
  meanGradConfig,
  minGradConfig,
  minimumGradConfig,
  mirrorPadGradConfig,
  modGradConfig,
  multiplyGradConfig,
  negGradConfig,
  oneHotGradConfig,
  onesLikeGradConfig,
  packGradConfig,
  padV2GradConfig,
  padV2GradConfig,
  powGradConfig,
  preluGradConfig,
  prodGradConfig,
  reciprocalGradConfig,
  relu6GradConfig,
  reluGradConfig,
  reshapeGradConfig,
  resizeBilinearGradConfig,
  resizeNearestNeighborGradConfig,
  reverseGradConfig,
  roundGradConfig,
  rsqrtGradConfig,
  selectGradConfig,
  seluGradConfig,
  sigmoidGradConfig,
  signGradConfig,
  sinGradConfig,
  sinhGradConfig,
  sliceGradConfig,
  softmaxGradConfig,
  softplusGradConfig,
  spaceToBatchNDGradConfig,
  spaceToBatchNDGradConfig,
  splitVGradConfig,
  splitVGradConfig,
  sqrtGradConfig,
  squaredDifferenceGradConfig,
  squareGradConfig,
  stepGradConfig,
  subGradConfig,
  sumGradConfig,
  tanGradConfig,
  tanhGradConfig,
  tileGradConfig,
  transposeGradConfig,
  unpackGradConfig,
  unsortedSegmentSumGradConfig,
  zerosLikeGradConfig
];
for (const gradientConfig of gradConfigs) {
  registerGradient3(gradientConfig);
}

// public:ops/ops.js
import * as tf67 from "@tensorflow/tfjs-core";
var abs3 = tf67.abs;
var acos3 = tf67.acos;
var acosh3 = tf67.acosh;
var asin3 = tf67.asin;
var asinh3 = tf67.asinh;
var atan4 = tf67.atan;
var atanh3 = tf67.atanh;
var cast5 = tf67.cast;
var ceil3 = tf67.ceil;
var clipByValue3 = tf67.clipByValue;
var cos5 = tf67.cos;
var cosh5 = tf67.cosh;
var erf3 = tf67.erf;
var exp5 = tf67.exp;
var expm13 = tf67.expm1;
var fft3 = tf67.fft;
var floor5 = tf67.floor;
var ifft3 = tf67.ifft;
var irfft3 = tf67.irfft;
var isFinite3 = tf67.isFinite;
var isInf3 = tf67.isInf;
var isNaN3 = tf67.isNaN;
var log5 = tf67.log;
var log1p3 = tf67.log1p;
var logSigmoid3 = tf67.logSigmoid;
var logSoftmax3 = tf67.logSoftmax;
var neg5 = tf67.neg;
var norm3 = tf67.norm;
var onesLike3 = tf67.onesLike;
var reciprocal3 = tf67.reciprocal;
var rfft3 = tf67.rfft;
var round3 = tf67.round;
var rsqrt5 = tf67.rsqrt;
var sigmoid5 = tf67.sigmoid;
var sign3 = tf67.sign;
var sin5 = tf67.sin;
var sinh5 = tf67.sinh;
var slice5 = tf67.slice;
var softmax3 = tf67.softmax;
var softplus3 = tf67.softplus;
var sqrt5 = tf67.sqrt;
var square5 = tf67.square;
var step5 = tf67.step;
var stridedSlice3 = tf67.stridedSlice;
var tan3 = tf67.tan;
var tanh5 = tf67.tanh;
var zerosLike5 = tf67.zerosLike;

// public/chained_ops/abs.js
getGlobalTensorClass().prototype.abs = function() {
  this.throwIfDisposed();
  return abs3(this);
};

// public/chained_ops/acos.js
getGlobalTensorClass().prototype.acos = function() {
  this.throwIfDisposed();
  return acos3(this);
};

// public/chained_ops/acosh.js
getGlobalTensorClass().prototype.acosh = function() {
  this.throwIfDisposed();
  return acosh3(this);
};

// public/chained_ops/add.js
getGlobalTensorClass().prototype.add = function(b) {
  this.throwIfDisposed();
  return add2(this, b);
};

// public:ops/all.js
import * as tf68 from "@tensorflow/tfjs-core";
var all4 = tf68.all;

// public/chained_ops/all.js
getGlobalTensorClass().prototype.all = function(axis, keepDims) {
  this.throwIfDisposed();
  return all4(this, axis, keepDims);
};

// public:ops/any.js
import * as tf69 from "@tensorflow/tfjs-core";
var any4 = tf69.any;

// public/chained_ops/any.js
getGlobalTensorClass().prototype.any = function(axis, keepDims) {
  this.throwIfDisposed();
  return any4(this, axis, keepDims);
};

// public:ops/arg_max.js
import * as tf70 from "@tensorflow/tfjs-core";
var argMax4 = tf70.argMax;

// public/chained_ops/arg_max.js
getGlobalTensorClass().prototype.argMax = function(axis) {
  this.throwIfDisposed();
  return argMax4(this, axis);
};

// public:ops/arg_min.js
import * as tf71 from "@tensorflow/tfjs-core";
var argMin4 = tf71.argMin;

// public/chained_ops/arg_min.js
getGlobalTensorClass().prototype.argMin = function(axis) {
  this.throwIfDisposed();
  return argMin4(this, axis);
};

// public/chained_ops/as_scalar.js
getGlobalTensorClass().prototype.asScalar = function() {
  this.throwIfDisposed();
  assert(this.size === 1, () => "The array must have only 1 element.");
  return reshape2(this, []);
};

// public/chained_ops/as_type.js
getGlobalTensorClass().prototype.asType = function(dtype) {
  this.throwIfDisposed();
  return cast5(this, dtype);
};

// public/chained_ops/as1d.js
getGlobalTensorClass().prototype.as1D = function() {
  this.throwIfDisposed();
  return reshape2(this, [this.size]);
};

// public/chained_ops/as2d.js
getGlobalTensorClass().prototype.as2D = function(rows, columns) {
  this.throwIfDisposed();
  return reshape2(this, [rows, columns]);
};

// public/chained_ops/as3d.js
getGlobalTensorClass().prototype.as3D = function(rows, columns, depth) {
  this.throwIfDisposed();
  return reshape2(this, [rows, columns, depth]);
};

// public/chained_ops/as4d.js
getGlobalTensorClass().prototype.as4D = function(rows, columns, depth, depth2) {
  this.throwIfDisposed();
  return reshape2(this, [rows, columns, depth, depth2]);
};

// public/chained_ops/as5d.js
getGlobalTensorClass().prototype.as5D = function(rows, columns, depth, depth2, depth3) {
  this.throwIfDisposed();
  return reshape2(this, [rows, columns, depth, depth2, depth3]);
};

// public/chained_ops/asin.js
getGlobalTensorClass().prototype.asin = function() {
  this.throwIfDisposed();
  return asin3(this);
};

// public/chained_ops/asinh.js
getGlobalTensorClass().prototype.asinh = function() {
  this.throwIfDisposed();
  return asinh3(this);
};

// public/chained_ops/atan.js
getGlobalTensorClass().prototype.atan = function() {
  this.throwIfDisposed();
  return atan4(this);
};

// public:ops/atan2.js
import * as tf72 from "@tensorflow/tfjs-core";
var atan24 = tf72.atan2;

// public/chained_ops/atan2.js
getGlobalTensorClass().prototype.atan2 = function(b) {
  this.throwIfDisposed();
  return atan24(this, b);
};

// public/chained_ops/atanh.js
getGlobalTensorClass().prototype.atanh = function() {
  this.throwIfDisposed();
  return atanh3(this);
};

// public:ops/avg_pool.js
import * as tf73 from "@tensorflow/tfjs-core";
var avgPool4 = tf73.avgPool;

// public/chained_ops/avg_pool.js
getGlobalTensorClass().prototype.avgPool = function(filterSize, strides, pad5, dimRoundingMode) {
  this.throwIfDisposed();
  return avgPool4(this, filterSize, strides, pad5, dimRoundingMode);
};

// public/chained_ops/batch_to_space_nd.js
getGlobalTensorClass().prototype.batchToSpaceND = function(blockShape, crops) {
  this.throwIfDisposed();
  return batchToSpaceND3(this, blockShape, crops);
};

// public:ops/batchnorm.js
import * as tf74 from "@tensorflow/tfjs-core";
var batchNorm4 = tf74.batchNorm;

// public/chained_ops/batchnorm.js
getGlobalTensorClass().prototype.batchNorm = function(mean5, variance, offset, scale, varianceEpsilon) {
  this.throwIfDisposed();
  return batchNorm4(this, mean5, variance, offset, scale, varianceEpsilon);
};

// public:ops/broadcast_to.js
import * as tf75 from "@tensorflow/tfjs-core";
var broadcastTo4 = tf75.broadcastTo;

// public/chained_ops/broadcast_to.js
getGlobalTensorClass().prototype.broadcastTo = function(shape) {
  this.throwIfDisposed();
  return broadcastTo4(this, shape);
};

// public/chained_ops/cast.js
getGlobalTensorClass().prototype.cast = function(dtype) {
  this.throwIfDisposed();
  return cast5(this, dtype);
};

// public/chained_ops/ceil.js
getGlobalTensorClass().prototype.ceil = function() {
  this.throwIfDisposed();
  return ceil3(this);
};

// public/chained_ops/clip_by_value.js
getGlobalTensorClass().prototype.clipByValue = function(min5, max5) {
  this.throwIfDisposed();
  return clipByValue3(this, min5, max5);
};

// public/chained_ops/concat.js
getGlobalTensorClass().prototype.concat = function(x, axis) {
  this.throwIfDisposed();
  if (x instanceof Tensor2) {
    x = [x];
  }
  return concat3([this, ...x], axis);
};

// public:ops/conv1d.js
import * as tf76 from "@tensorflow/tfjs-core";
var conv1d4 = tf76.conv1d;

// public/chained_ops/conv1d.js
getGlobalTensorClass().prototype.conv1d = function(filter, stride, pad5, dataFormat, dilation, dimRoundingMode) {
  this.throwIfDisposed();
  return conv1d4(this, filter, stride, pad5, dataFormat, dilation, dimRoundingMode);
};

// public:ops/conv2d_transpose.js
import * as tf77 from "@tensorflow/tfjs-core";
var conv2dTranspose4 = tf77.conv2dTranspose;

// public/chained_ops/conv2d_transpose.js
getGlobalTensorClass().prototype.conv2dTranspose = function(filter, outputShape, strides, pad5, dimRoundingMode) {
  this.throwIfDisposed();
  return conv2dTranspose4(this, filter, outputShape, strides, pad5, dimRoundingMode);
};

// public/chained_ops/conv2d.js
getGlobalTensorClass().prototype.conv2d = function(filter, strides, pad5, dataFormat, dilations, dimRoundingMode) {
  this.throwIfDisposed();
  return conv2d2(this, filter, strides, pad5, dataFormat, dilations, dimRoundingMode);
};

// public/chained_ops/cos.js
getGlobalTensorClass().prototype.cos = function() {
  this.throwIfDisposed();
  return cos5(this);
};

// public/chained_ops/cosh.js
getGlobalTensorClass().prototype.cosh = function() {
  this.throwIfDisposed();
  return cosh5(this);
};

// public/chained_ops/cumprod.js
getGlobalTensorClass().prototype.cumprod = function(axis, exclusive, reverse5) {
  this.throwIfDisposed();
  return cumprod3(this, axis, exclusive, reverse5);
};

// public/chained_ops/cumsum.js
getGlobalTensorClass().prototype.cumsum = function(axis, exclusive, reverse5) {
  this.throwIfDisposed();
  return cumsum2(this, axis, exclusive, reverse5);
};

// public:ops/depth_to_space.js
import * as tf78 from "@tensorflow/tfjs-core";
var depthToSpace4 = tf78.depthToSpace;

// public/chained_ops/depth_to_space.js
getGlobalTensorClass().prototype.depthToSpace = function(blockSize, dataFormat) {
  this.throwIfDisposed();
  return depthToSpace4(this, blockSize, dataFormat);
};

// public:ops/depthwise_conv2d.js
import * as tf79 from "@tensorflow/tfjs-core";
var depthwiseConv2d4 = tf79.depthwiseConv2d;

// public/chained_ops/depthwise_conv2d.js
getGlobalTensorClass().prototype.depthwiseConv2d = function(filter, strides, pad5, dataFormat, dilations, dimRoundingMode) {
  this.throwIfDisposed();
  return depthwiseConv2d4(this, filter, strides, pad5, dataFormat, dilations, dimRoundingMode);
};

// public:ops/dilation2d.js
import * as tf80 from "@tensorflow/tfjs-core";
var dilation2d4 = tf80.dilation2d;

// public/chained_ops/dilation2d.js
getGlobalTensorClass().prototype.dilation2d = function(filter, strides, pad5, dilations, dataFormat) {
  this.throwIfDisposed();
  return dilation2d4(this, filter, strides, pad5, dilations, dataFormat);
};

// public:ops/div_no_nan.js
import * as tf81 from "@tensorflow/tfjs-core";
var divNoNan4 = tf81.divNoNan;

// public/chained_ops/div_no_nan.js
getGlobalTensorClass().prototype.divNoNan = function(b) {
  this.throwIfDisposed();
  return divNoNan4(this, b);
};

// public/chained_ops/div.js
getGlobalTensorClass().prototype.div = function(b) {
  this.throwIfDisposed();
  return div2(this, b);
};

// public:ops/dot.js
import * as tf82 from "@tensorflow/tfjs-core";
var dot4 = tf82.dot;

// public/chained_ops/dot.js
getGlobalTensorClass().prototype.dot = function(b) {
  this.throwIfDisposed();
  return dot4(this, b);
};

// public:ops/elu.js
import * as tf83 from "@tensorflow/tfjs-core";
var elu4 = tf83.elu;

// public/chained_ops/elu.js
getGlobalTensorClass().prototype.elu = function() {
  this.throwIfDisposed();
  return elu4(this);
};

// public/chained_ops/equal.js
getGlobalTensorClass().prototype.equal = function(b) {
  this.throwIfDisposed();
  return equal2(this, b);
};

// public/chained_ops/erf.js
getGlobalTensorClass().prototype.erf = function() {
  this.throwIfDisposed();
  return erf3(this);
};

// public:ops/euclidean_norm.js
import * as tf84 from "@tensorflow/tfjs-core";
var euclideanNorm4 = tf84.euclideanNorm;

// public/chained_ops/euclidean_norm.js
getGlobalTensorClass().prototype.euclideanNorm = function(axis, keepDims) {
  this.throwIfDisposed();
  return euclideanNorm4(this, axis, keepDims);
};

// public/chained_ops/exp.js
getGlobalTensorClass().prototype.exp = function() {
  this.throwIfDisposed();
  return exp5(this);
};

// public/chained_ops/expand_dims.js
getGlobalTensorClass().prototype.expandDims = function(axis) {
  this.throwIfDisposed();
  return expandDims3(this, axis);
};

// public/chained_ops/expm1.js
getGlobalTensorClass().prototype.expm1 = function() {
  this.throwIfDisposed();
  return expm13(this);
};

// public/chained_ops/fft.js
getGlobalTensorClass().prototype.fft = function() {
  this.throwIfDisposed();
  return fft3(this);
};

// public/chained_ops/flatten.js
getGlobalTensorClass().prototype.flatten = function() {
  this.throwIfDisposed();
  return reshape2(this, [this.size]);
};

// public/chained_ops/floor.js
getGlobalTensorClass().prototype.floor = function() {
  this.throwIfDisposed();
  return floor5(this);
};

// public:ops/floorDiv.js
import * as tf85 from "@tensorflow/tfjs-core";
var floorDiv4 = tf85.floorDiv;

// public/chained_ops/floorDiv.js
getGlobalTensorClass().prototype.floorDiv = function(b) {
  this.throwIfDisposed();
  return floorDiv4(this, b);
};

// public/chained_ops/gather.js
getGlobalTensorClass().prototype.gather = function(indices, axis, batchDims) {
  this.throwIfDisposed();
  return gather3(this, indices, axis, batchDims);
};

// public/chained_ops/greater_equal.js
getGlobalTensorClass().prototype.greaterEqual = function(b) {
  this.throwIfDisposed();
  return greaterEqual2(this, b);
};

// public/chained_ops/greater.js
getGlobalTensorClass().prototype.greater = function(b) {
  this.throwIfDisposed();
  return greater2(this, b);
};

// public/chained_ops/ifft.js
getGlobalTensorClass().prototype.ifft = function() {
  this.throwIfDisposed();
  return ifft3(this);
};

// public/chained_ops/irfft.js
getGlobalTensorClass().prototype.irfft = function() {
  this.throwIfDisposed();
  return irfft3(this);
};

// public/chained_ops/is_finite.js
getGlobalTensorClass().prototype.isFinite = function() {
  this.throwIfDisposed();
  return isFinite3(this);
};

// public/chained_ops/is_inf.js
getGlobalTensorClass().prototype.isInf = function() {
  this.throwIfDisposed();
  return isInf3(this);
};

// public/chained_ops/is_nan.js
getGlobalTensorClass().prototype.isNaN = function() {
  this.throwIfDisposed();
  return isNaN3(this);
};

// public:ops/leaky_relu.js
import * as tf86 from "@tensorflow/tfjs-core";
var leakyRelu4 = tf86.leakyRelu;

// public/chained_ops/leaky_relu.js
getGlobalTensorClass().prototype.leakyRelu = function(alpha) {
  this.throwIfDisposed();
  return leakyRelu4(this, alpha);
};

// public/chained_ops/less_equal.js
getGlobalTensorClass().prototype.lessEqual = function(b) {
  this.throwIfDisposed();
  return lessEqual2(this, b);
};

// public/chained_ops/less.js
getGlobalTensorClass().prototype.less = function(b) {
  this.throwIfDisposed();
  return less2(this, b);
};

// public:ops/local_response_normalization.js
import * as tf87 from "@tensorflow/tfjs-core";
var localResponseNormalization4 = tf87.localResponseNormalization;

// public/chained_ops/local_response_normalization.js
getGlobalTensorClass().prototype.localResponseNormalization = function(depthRadius, bias, alpha, beta) {
  this.throwIfDisposed();
  return localResponseNormalization4(this, depthRadius, bias, alpha, beta);
};

// public/chained_ops/log_sigmoid.js
getGlobalTensorClass().prototype.logSigmoid = function() {
  this.throwIfDisposed();
  return logSigmoid3(this);
};

// public/chained_ops/log_softmax.js
getGlobalTensorClass().prototype.logSoftmax = function(axis) {
  this.throwIfDisposed();
  return logSoftmax3(this, axis);
};

// public:ops/log_sum_exp.js
import * as tf88 from "@tensorflow/tfjs-core";
var logSumExp4 = tf88.logSumExp;

// public/chained_ops/log_sum_exp.js
getGlobalTensorClass().prototype.logSumExp = function(axis, keepDims) {
  this.throwIfDisposed();
  return logSumExp4(this, axis, keepDims);
};

// public/chained_ops/log.js
getGlobalTensorClass().prototype.log = function() {
  this.throwIfDisposed();
  return log5(this);
};

// public/chained_ops/log1p.js
getGlobalTensorClass().prototype.log1p = function() {
  this.throwIfDisposed();
  return log1p3(this);
};

// public/chained_ops/logical_and.js
getGlobalTensorClass().prototype.logicalAnd = function(b) {
  this.throwIfDisposed();
  return logicalAnd2(this, b);
};

// public/chained_ops/logical_not.js
getGlobalTensorClass().prototype.logicalNot = function() {
  this.throwIfDisposed();
  return logicalNot3(this);
};

// public:ops/logical_or.js
import * as tf89 from "@tensorflow/tfjs-core";
var logicalOr4 = tf89.logicalOr;

// public/chained_ops/logical_or.js
getGlobalTensorClass().prototype.logicalOr = function(b) {
  this.throwIfDisposed();
  return logicalOr4(this, b);
};

// public:ops/logical_xor.js
import * as tf90 from "@tensorflow/tfjs-core";
var logicalXor4 = tf90.logicalXor;

// public/chained_ops/logical_xor.js
getGlobalTensorClass().prototype.logicalXor = function(b) {
  this.throwIfDisposed();
  return logicalXor4(this, b);
};

// public/chained_ops/mat_mul.js
getGlobalTensorClass().prototype.matMul = function(b, transposeA, transposeB) {
  this.throwIfDisposed();
  return matMul2(this, b, transposeA, transposeB);
};

// public:ops/max_pool.js
import * as tf91 from "@tensorflow/tfjs-core";
var maxPool4 = tf91.maxPool;

// public/chained_ops/max_pool.js
getGlobalTensorClass().prototype.maxPool = function(filterSize, strides, pad5, dimRoundingMode) {
  this.throwIfDisposed();
  return maxPool4(this, filterSize, strides, pad5, dimRoundingMode);
};

// public:ops/max.js
import * as tf92 from "@tensorflow/tfjs-core";
var max4 = tf92.max;

// public/chained_ops/max.js
getGlobalTensorClass().prototype.max = function(axis, keepDims) {
  this.throwIfDisposed();
  return max4(this, axis, keepDims);
};

// public/chained_ops/maximum.js
getGlobalTensorClass().prototype.maximum = function(b) {
  this.throwIfDisposed();
  return maximum3(this, b);
};

// public:ops/mean.js
import * as tf93 from "@tensorflow/tfjs-core";
var mean4 = tf93.mean;

// public/chained_ops/mean.js
getGlobalTensorClass().prototype.mean = function(axis, keepDims) {
  this.throwIfDisposed();
  return mean4(this, axis, keepDims);
};

// public:ops/min.js
import * as tf94 from "@tensorflow/tfjs-core";
var min4 = tf94.min;

// public/chained_ops/min.js
getGlobalTensorClass().prototype.min = function(axis, keepDims) {
  this.throwIfDisposed();
  return min4(this, axis, keepDims);
};

// public:ops/minimum.js
import * as tf95 from "@tensorflow/tfjs-core";
var minimum4 = tf95.minimum;

// public/chained_ops/minimum.js
getGlobalTensorClass().prototype.minimum = function(b) {
  this.throwIfDisposed();
  return minimum4(this, b);
};

// public:ops/mirror_pad.js
import * as tf96 from "@tensorflow/tfjs-core";
var mirrorPad4 = tf96.mirrorPad;

// public/chained_ops/mirror_pad.js
getGlobalTensorClass().prototype.mirrorPad = function(paddings, mode) {
  this.throwIfDisposed();
  return mirrorPad4(this, paddings, mode);
};

// public:ops/mod.js
import * as tf97 from "@tensorflow/tfjs-core";
var mod4 = tf97.mod;

// public/chained_ops/mod.js
getGlobalTensorClass().prototype.mod = function(b) {
  this.throwIfDisposed();
  return mod4(this, b);
};

// public/chained_ops/mul.js
getGlobalTensorClass().prototype.mul = function(b) {
  this.throwIfDisposed();
  return mul2(this, b);
};

// public/chained_ops/neg.js
getGlobalTensorClass().prototype.neg = function() {
  this.throwIfDisposed();
  return neg5(this);
};

// public/chained_ops/norm.js
getGlobalTensorClass().prototype.norm = function(ord, axis, keepDims) {
  this.throwIfDisposed();
  return norm3(this, ord, axis, keepDims);
};

// public:ops/not_equal.js
import * as tf98 from "@tensorflow/tfjs-core";
var notEqual4 = tf98.notEqual;

// public/chained_ops/not_equal.js
getGlobalTensorClass().prototype.notEqual = function(b) {
  this.throwIfDisposed();
  return notEqual4(this, b);
};

// public:ops/one_hot.js
import * as tf99 from "@tensorflow/tfjs-core";
var oneHot4 = tf99.oneHot;

// public/chained_ops/one_hot.js
getGlobalTensorClass().prototype.oneHot = function(depth, onValue = 1, offValue = 0) {
  this.throwIfDisposed();
  return oneHot4(this, depth, onValue, offValue);
};

// public/chained_ops/ones_like.js
getGlobalTensorClass().prototype.onesLike = function() {
  this.throwIfDisposed();
  return onesLike3(this);
};

// public/chained_ops/pad.js
getGlobalTensorClass().prototype.pad = function(paddings, constantValue) {
  this.throwIfDisposed();
  return pad3(this, paddings, constantValue);
};

// public:ops/pool.js
import * as tf100 from "@tensorflow/tfjs-core";
var pool4 = tf100.pool;

// public/chained_ops/pool.js
getGlobalTensorClass().prototype.pool = function(windowShape, poolingType, padding, dilationRate, strides, dimRoundingMode) {
  this.throwIfDisposed();
  return pool4(this, windowShape, poolingType, padding, dilationRate, strides, dimRoundingMode);
};

// public/chained_ops/pow.js
getGlobalTensorClass().prototype.pow = function(exp6) {
  this.throwIfDisposed();
  return pow2(this, exp6);
};

// public:ops/prelu.js
import * as tf101 from "@tensorflow/tfjs-core";
var prelu4 = tf101.prelu;

// public/chained_ops/prelu.js
getGlobalTensorClass().prototype.prelu = function(alpha) {
  this.throwIfDisposed();
  return prelu4(this, alpha);
};

// public:ops/prod.js
import * as tf102 from "@tensorflow/tfjs-core";
var prod4 = tf102.prod;

// public/chained_ops/prod.js
getGlobalTensorClass().prototype.prod = function(axis, keepDims) {
  this.throwIfDisposed();
  return prod4(this, axis, keepDims);
};

// public/chained_ops/reciprocal.js
getGlobalTensorClass().prototype.reciprocal = function() {
  this.throwIfDisposed();
  return reciprocal3(this);
};

// public:ops/relu.js
import * as tf103 from "@tensorflow/tfjs-core";
var relu4 = tf103.relu;

// public/chained_ops/relu.js
getGlobalTensorClass().prototype.relu = function() {
  this.throwIfDisposed();
  return relu4(this);
};

// public:ops/relu6.js
import * as tf104 from "@tensorflow/tfjs-core";
var relu64 = tf104.relu6;

// public/chained_ops/relu6.js
getGlobalTensorClass().prototype.relu6 = function() {
  this.throwIfDisposed();
  return relu64(this);
};

// public/chained_ops/reshape_as.js
getGlobalTensorClass().prototype.reshapeAs = function(x) {
  this.throwIfDisposed();
  return reshape2(this, x.shape);
};

// public/chained_ops/reshape.js
getGlobalTensorClass().prototype.reshape = function(shape) {
  this.throwIfDisposed();
  return reshape2(this, shape);
};

// public:ops/image/resize_bilinear.js
import * as tf105 from "@tensorflow/tfjs-core";
var resizeBilinear = tf105.image.resizeBilinear;

// public/chained_ops/resize_bilinear.js
getGlobalTensorClass().prototype.resizeBilinear = function(newShape2D, alignCorners, halfPixelCenters) {
  this.throwIfDisposed();
  return resizeBilinear(this, newShape2D, alignCorners, halfPixelCenters);
};

// public:ops/image/resize_nearest_neighbor.js
import * as tf106 from "@tensorflow/tfjs-core";
var resizeNearestNeighbor = tf106.image.resizeNearestNeighbor;

// public/chained_ops/resize_nearest_neighbor.js
getGlobalTensorClass().prototype.resizeNearestNeighbor = function(newShape2D, alignCorners, halfFloatCenters) {
  this.throwIfDisposed();
  return resizeNearestNeighbor(this, newShape2D, alignCorners, halfFloatCenters);
};

// public/chained_ops/reverse.js
getGlobalTensorClass().prototype.reverse = function(axis) {
  this.throwIfDisposed();
  return reverse3(this, axis);
};

// public/chained_ops/rfft.js
getGlobalTensorClass().prototype.rfft = function() {
  this.throwIfDisposed();
  return rfft3(this);
};

// public/chained_ops/round.js
getGlobalTensorClass().prototype.round = function() {
  this.throwIfDisposed();
  return round3(this);
};

// public/chained_ops/rsqrt.js
getGlobalTensorClass().prototype.rsqrt = function() {
  this.throwIfDisposed();
  return rsqrt5(this);
};

// public:ops/selu.js
import * as tf107 from "@tensorflow/tfjs-core";
var selu4 = tf107.selu;

// public/chained_ops/selu.js
getGlobalTensorClass().prototype.selu = function() {
  this.throwIfDisposed();
  return selu4(this);
};

// public:ops/separable_conv2d.js
import * as tf108 from "@tensorflow/tfjs-core";
var separableConv2d4 = tf108.separableConv2d;

// public/chained_ops/separable_conv2d.js
getGlobalTensorClass().prototype.separableConv2d = function(depthwiseFilter, pointwiseFilter, strides, pad5, dilation, dataFormat) {
  this.throwIfDisposed();
  return separableConv2d4(this, depthwiseFilter, pointwiseFilter, strides, pad5, dilation, dataFormat);
};

// public/chained_ops/sigmoid.js
getGlobalTensorClass().prototype.sigmoid = function() {
  this.throwIfDisposed();
  return sigmoid5(this);
};

// public/chained_ops/sign.js
getGlobalTensorClass().prototype.sign = function() {
  this.throwIfDisposed();
  return sign3(this);
};

// public/chained_ops/sin.js
getGlobalTensorClass().prototype.sin = function() {
  this.throwIfDisposed();
  return sin5(this);
};

// public/chained_ops/sinh.js
getGlobalTensorClass().prototype.sinh = function() {
  this.throwIfDisposed();
  return sinh5(this);
};

// public/chained_ops/slice.js
getGlobalTensorClass().prototype.slice = function(begin, size) {
  this.throwIfDisposed();
  return slice5(this, begin, size);
};

// public/chained_ops/softmax.js
getGlobalTensorClass().prototype.softmax = function(dim) {
  this.throwIfDisposed();
  return softmax3(this, dim);
};

// public/chained_ops/softplus.js
getGlobalTensorClass().prototype.softplus = function() {
  this.throwIfDisposed();
  return softplus3(this);
};

// public/chained_ops/space_to_batch_nd.js
getGlobalTensorClass().prototype.spaceToBatchND = function(blockShape, paddings) {
  this.throwIfDisposed();
  return spaceToBatchND2(this, blockShape, paddings);
};

// public/chained_ops/split.js
getGlobalTensorClass().prototype.split = function(numOrSizeSplits, axis) {
  this.throwIfDisposed();
  return split2(this, numOrSizeSplits, axis);
};

// public/chained_ops/sqrt.js
getGlobalTensorClass().prototype.sqrt = function() {
  this.throwIfDisposed();
  return sqrt5(this);
};

// public/chained_ops/square.js
getGlobalTensorClass().prototype.square = function() {
  this.throwIfDisposed();
  return square5(this);
};

// public:ops/squared_difference.js
import * as tf109 from "@tensorflow/tfjs-core";
var squaredDifference4 = tf109.squaredDifference;

// public/chained_ops/squared_difference.js
getGlobalTensorClass().prototype.squaredDifference = function(b) {
  this.throwIfDisposed();
  return squaredDifference4(this, b);
};

// public:ops/squeeze.js
import * as tf110 from "@tensorflow/tfjs-core";
var squeeze4 = tf110.squeeze;

// public/chained_ops/squeeze.js
getGlobalTensorClass().prototype.squeeze = function(axis) {
  this.throwIfDisposed();
  return squeeze4(this, axis);
};

// public/chained_ops/stack.js
getGlobalTensorClass().prototype.stack = function(x, axis) {
  this.throwIfDisposed();
  const tensorsToBeStacked = x instanceof Tensor2 ? [this, x] : [this, ...x];
  return stack2(tensorsToBeStacked, axis);
};

// public/chained_ops/step.js
getGlobalTensorClass().prototype.step = function(alpha) {
  this.throwIfDisposed();
  return step5(this, alpha);
};

// public/chained_ops/strided_slice.js
getGlobalTensorClass().prototype.stridedSlice = function(begin, end, strides, beginMask, endMask, ellipsisMask, newAxisMask, shrinkAxisMask) {
  this.throwIfDisposed();
  return stridedSlice3(this, begin, end, strides, beginMask, endMask, ellipsisMask, newAxisMask, shrinkAxisMask);
};

// public/chained_ops/sub.js
getGlobalTensorClass().prototype.sub = function(b) {
  this.throwIfDisposed();
  return sub2(this, b);
};

// public/chained_ops/sum.js
getGlobalTensorClass().prototype.sum = function(axis, keepDims) {
  this.throwIfDisposed();
  return sum2(this, axis, keepDims);
};

// public/chained_ops/tan.js
getGlobalTensorClass().prototype.tan = function() {
  this.throwIfDisposed();
  return tan3(this);
};

// public/chained_ops/tanh.js
getGlobalTensorClass().prototype.tanh = function() {
  this.throwIfDisposed();
  return tanh5(this);
};

// public/chained_ops/tile.js
getGlobalTensorClass().prototype.tile = function(reps) {
  this.throwIfDisposed();
  return tile2(this, reps);
};

// public/chained_ops/to_bool.js
getGlobalTensorClass().prototype.toBool = function() {
  this.throwIfDisposed();
  return cast5(this, "bool");
};

// public/chained_ops/to_float.js
getGlobalTensorClass().prototype.toFloat = function() {
  this.throwIfDisposed();
  return cast5(this, "float32");
};

// public/chained_ops/to_int.js
getGlobalTensorClass().prototype.toInt = function() {
  this.throwIfDisposed();
  return cast5(this, "int32");
};

// public:ops/topk.js
import * as tf111 from "@tensorflow/tfjs-core";
var topk4 = tf111.topk;

// public/chained_ops/topk.js
getGlobalTensorClass().prototype.topk = function(k, sorted) {
  this.throwIfDisposed();
  return topk4(this, k, sorted);
};

// public/chained_ops/transpose.js
getGlobalTensorClass().prototype.transpose = function(perm) {
  this.throwIfDisposed();
  return transpose2(this, perm);
};

// public:ops/unique.js
import * as tf112 from "@tensorflow/tfjs-core";
var unique4 = tf112.unique;

// public/chained_ops/unique.js
getGlobalTensorClass().prototype.unique = function(axis) {
  this.throwIfDisposed();
  return unique4(this, axis);
};

// public/chained_ops/unsorted_segment_sum.js
getGlobalTensorClass().prototype.unsortedSegmentSum = function(segmentIds, numSegments) {
  this.throwIfDisposed();
  return unsortedSegmentSum2(this, segmentIds, numSegments);
};

// public/chained_ops/unstack.js
getGlobalTensorClass().prototype.unstack = function(axis) {
  this.throwIfDisposed();
  return unstack2(this, axis);
};

// public/chained_ops/where.js
getGlobalTensorClass().prototype.where = function(condition, x) {
  this.throwIfDisposed();
  return where2(condition, this, x);
};

// public/chained_ops/zeros_like.js
getGlobalTensorClass().prototype.zerosLike = function() {
  this.throwIfDisposed();
  return zerosLike5(this);
};
/*! Bundled license information:

@tensorflow/tfjs-core/dist/gradients/Abs_grad.js:
@tensorflow/tfjs-core/dist/gradients/Acos_grad.js:
@tensorflow/tfjs-core/dist/gradients/Acosh_grad.js:
@tensorflow/tfjs-core/dist/gradients/Add_grad.js:
@tensorflow/tfjs-core/dist/gradients/AddN_grad.js:
@tensorflow/tfjs-core/dist/gradients/Asin_grad.js:
@tensorflow/tfjs-core/dist/gradients/Asinh_grad.js:
@tensorflow/tfjs-core/dist/gradients/Atan2_grad.js:
@tensorflow/tfjs-core/dist/gradients/Atan_grad.js:
@tensorflow/tfjs-core/dist/gradients/Atanh_grad.js:
@tensorflow/tfjs-core/dist/ops/avg_pool_3d_grad.js:
@tensorflow/tfjs-core/dist/gradients/AvgPool3D_grad.js:
@tensorflow/tfjs-core/dist/ops/avg_pool_grad.js:
@tensorflow/tfjs-core/dist/gradients/AvgPool_grad.js:
@tensorflow/tfjs-core/dist/gradients/BatchMatMul_grad.js:
@tensorflow/tfjs-core/dist/gradients/BatchToSpaceND_grad.js:
@tensorflow/tfjs-core/dist/gradients/BroadcastTo_grad.js:
@tensorflow/tfjs-core/dist/gradients/Cast_grad.js:
@tensorflow/tfjs-core/dist/gradients/Ceil_grad.js:
@tensorflow/tfjs-core/dist/gradients/ClipByValue_grad.js:
@tensorflow/tfjs-core/dist/gradients/ComplexAbs_grad.js:
@tensorflow/tfjs-core/dist/gradients/Concat_grad.js:
@tensorflow/tfjs-core/dist/ops/conv2d_backprop_filter.js:
@tensorflow/tfjs-core/dist/ops/conv2d_backprop_input.js:
@tensorflow/tfjs-core/dist/gradients/Conv2D_grad.js:
@tensorflow/tfjs-core/dist/gradients/Conv2DBackpropInput_grad.js:
@tensorflow/tfjs-core/dist/ops/conv3d_backprop_filter.js:
@tensorflow/tfjs-core/dist/ops/conv3d_backprop_input.js:
@tensorflow/tfjs-core/dist/gradients/Conv3D_grad.js:
@tensorflow/tfjs-core/dist/gradients/Cos_grad.js:
@tensorflow/tfjs-core/dist/gradients/Cosh_grad.js:
@tensorflow/tfjs-core/dist/gradients/Cumsum_grad.js:
@tensorflow/tfjs-core/dist/ops/depthwise_conv2d_native_backprop_filter.js:
@tensorflow/tfjs-core/dist/ops/depthwise_conv2d_native_backprop_input.js:
@tensorflow/tfjs-core/dist/gradients/DepthwiseConv2dNative_grad.js:
@tensorflow/tfjs-core/dist/gradients/Dilation2D_grad.js:
@tensorflow/tfjs-core/dist/gradients/Elu_grad.js:
@tensorflow/tfjs-core/dist/gradients/Erf_grad.js:
@tensorflow/tfjs-core/dist/gradients/Exp_grad.js:
@tensorflow/tfjs-core/dist/gradients/ExpandDims_grad.js:
@tensorflow/tfjs-core/dist/gradients/Expm1_grad.js:
@tensorflow/tfjs-core/dist/gradients/Floor_grad.js:
@tensorflow/tfjs-core/dist/gradients/FloorDiv_grad.js:
@tensorflow/tfjs-core/dist/gradients/FusedBatchNorm_grad.js:
@tensorflow/tfjs-core/dist/gradients/GatherV2_grad.js:
@tensorflow/tfjs-core/dist/gradients/GreaterEqual_grad.js:
@tensorflow/tfjs-core/dist/gradients/Identity_grad.js:
@tensorflow/tfjs-core/dist/gradients/IsFinite_grad.js:
@tensorflow/tfjs-core/dist/gradients/IsInf_grad.js:
@tensorflow/tfjs-core/dist/gradients/IsNan_grad.js:
@tensorflow/tfjs-core/dist/gradients/LeakyRelu_grad.js:
@tensorflow/tfjs-core/dist/gradients/Log1p_grad.js:
@tensorflow/tfjs-core/dist/gradients/Log_grad.js:
@tensorflow/tfjs-core/dist/gradients/LogSoftmax_grad.js:
@tensorflow/tfjs-core/dist/ops/local_response_normalization_backprop.js:
@tensorflow/tfjs-core/dist/gradients/LRN_grad.js:
@tensorflow/tfjs-core/dist/gradients/min_max_grad_util.js:
@tensorflow/tfjs-core/dist/gradients/Max_grad.js:
@tensorflow/tfjs-core/dist/gradients/Maximum_grad.js:
@tensorflow/tfjs-core/dist/ops/max_pool_3d_grad.js:
@tensorflow/tfjs-core/dist/gradients/MaxPool3D_grad.js:
@tensorflow/tfjs-core/dist/ops/max_pool_grad.js:
@tensorflow/tfjs-core/dist/gradients/MaxPool_grad.js:
@tensorflow/tfjs-core/dist/gradients/Mean_grad.js:
@tensorflow/tfjs-core/dist/gradients/Min_grad.js:
@tensorflow/tfjs-core/dist/gradients/Minimum_grad.js:
@tensorflow/tfjs-core/dist/gradients/MirrorPad_grad.js:
@tensorflow/tfjs-core/dist/gradients/Mod_grad.js:
@tensorflow/tfjs-core/dist/gradients/Multiply_grad.js:
@tensorflow/tfjs-core/dist/gradients/Neg_grad.js:
@tensorflow/tfjs-core/dist/gradients/OneHot_grad.js:
@tensorflow/tfjs-core/dist/gradients/OnesLike_grad.js:
@tensorflow/tfjs-core/dist/gradients/Pack_grad.js:
@tensorflow/tfjs-core/dist/gradients/PadV2_grad.js:
@tensorflow/tfjs-core/dist/gradients/Pow_grad.js:
@tensorflow/tfjs-core/dist/gradients/Prelu_grad.js:
@tensorflow/tfjs-core/dist/gradients/RealDiv_grad.js:
@tensorflow/tfjs-core/dist/gradients/Reciprocal_grad.js:
@tensorflow/tfjs-core/dist/gradients/Relu6_grad.js:
@tensorflow/tfjs-core/dist/gradients/Relu_grad.js:
@tensorflow/tfjs-core/dist/gradients/ResizeBilinear_grad.js:
@tensorflow/tfjs-core/dist/gradients/ResizeNearestNeighbor_grad.js:
@tensorflow/tfjs-core/dist/gradients/Reverse_grad.js:
@tensorflow/tfjs-core/dist/gradients/Round_grad.js:
@tensorflow/tfjs-core/dist/gradients/Rsqrt_grad.js:
@tensorflow/tfjs-core/dist/gradients/Select_grad.js:
@tensorflow/tfjs-core/dist/gradients/Selu_grad.js:
@tensorflow/tfjs-core/dist/gradients/Sigmoid_grad.js:
@tensorflow/tfjs-core/dist/gradients/Sign_grad.js:
@tensorflow/tfjs-core/dist/gradients/Sin_grad.js:
@tensorflow/tfjs-core/dist/gradients/Sinh_grad.js:
@tensorflow/tfjs-core/dist/gradients/Slice_grad.js:
@tensorflow/tfjs-core/dist/gradients/Softmax_grad.js:
@tensorflow/tfjs-core/dist/gradients/Softplus_grad.js:
@tensorflow/tfjs-core/dist/gradients/SpaceToBatchND_grad.js:
@tensorflow/tfjs-core/dist/gradients/SplitV_grad.js:
@tensorflow/tfjs-core/dist/gradients/Sqrt_grad.js:
@tensorflow/tfjs-core/dist/gradients/SquaredDifference_grad.js:
@tensorflow/tfjs-core/dist/gradients/Step_grad.js:
@tensorflow/tfjs-core/dist/gradients/Sub_grad.js:
@tensorflow/tfjs-core/dist/gradients/Tan_grad.js:
@tensorflow/tfjs-core/dist/gradients/Tanh_grad.js:
@tensorflow/tfjs-core/dist/gradients/Tile_grad.js:
@tensorflow/tfjs-core/dist/gradients/Transpose_grad.js:
@tensorflow/tfjs-core/dist/gradients/UnsortedSegmentSum_grad.js:
@tensorflow/tfjs-core/dist/gradients/ZerosLike_grad.js:
@tensorflow/tfjs-core/dist/register_all_gradients.js:
@tensorflow/tfjs-core/dist/public/chained_ops/abs.js:
@tensorflow/tfjs-core/dist/public/chained_ops/acos.js:
@tensorflow/tfjs-core/dist/public/chained_ops/acosh.js:
@tensorflow/tfjs-core/dist/public/chained_ops/add.js:
@tensorflow/tfjs-core/dist/public/chained_ops/all.js:
@tensorflow/tfjs-core/dist/public/chained_ops/any.js:
@tensorflow/tfjs-core/dist/public/chained_ops/arg_max.js:
@tensorflow/tfjs-core/dist/public/chained_ops/arg_min.js:
@tensorflow/tfjs-core/dist/public/chained_ops/as_scalar.js:
@tensorflow/tfjs-core/dist/public/chained_ops/as_type.js:
@tensorflow/tfjs-core/dist/public/chained_ops/as1d.js:
@tensorflow/tfjs-core/dist/public/chained_ops/as2d.js:
@tensorflow/tfjs-core/dist/public/chained_ops/as3d.js:
@tensorflow/tfjs-core/dist/public/chained_ops/as4d.js:
@tensorflow/tfjs-core/dist/public/chained_ops/as5d.js:
@tensorflow/tfjs-core/dist/public/chained_ops/asin.js:
@tensorflow/tfjs-core/dist/public/chained_ops/asinh.js:
@tensorflow/tfjs-core/dist/public/chained_ops/atan.js:
@tensorflow/tfjs-core/dist/public/chained_ops/atan2.js:
@tensorflow/tfjs-core/dist/public/chained_ops/atanh.js:
@tensorflow/tfjs-core/dist/public/chained_ops/batch_to_space_nd.js:
@tensorflow/tfjs-core/dist/public/chained_ops/batchnorm.js:
@tensorflow/tfjs-core/dist/public/chained_ops/broadcast_to.js:
@tensorflow/tfjs-core/dist/public/chained_ops/cast.js:
@tensorflow/tfjs-core/dist/public/chained_ops/ceil.js:
@tensorflow/tfjs-core/dist/public/chained_ops/clip_by_value.js:
@tensorflow/tfjs-core/dist/public/chained_ops/concat.js:
@tensorflow/tfjs-core/dist/public/chained_ops/conv1d.js:
@tensorflow/tfjs-core/dist/public/chained_ops/conv2d_transpose.js:
@tensorflow/tfjs-core/dist/public/chained_ops/conv2d.js:
@tensorflow/tfjs-core/dist/public/chained_ops/cos.js:
@tensorflow/tfjs-core/dist/public/chained_ops/cosh.js:
@tensorflow/tfjs-core/dist/public/chained_ops/cumsum.js:
@tensorflow/tfjs-core/dist/public/chained_ops/depth_to_space.js:
@tensorflow/tfjs-core/dist/public/chained_ops/depthwise_conv2d.js:
@tensorflow/tfjs-core/dist/public/chained_ops/dilation2d.js:
@tensorflow/tfjs-core/dist/public/chained_ops/div_no_nan.js:
@tensorflow/tfjs-core/dist/public/chained_ops/div.js:
@tensorflow/tfjs-core/dist/public/chained_ops/dot.js:
@tensorflow/tfjs-core/dist/public/chained_ops/elu.js:
@tensorflow/tfjs-core/dist/public/chained_ops/equal.js:
@tensorflow/tfjs-core/dist/public/chained_ops/erf.js:
@tensorflow/tfjs-core/dist/public/chained_ops/exp.js:
@tensorflow/tfjs-core/dist/public/chained_ops/expand_dims.js:
@tensorflow/tfjs-core/dist/public/chained_ops/expm1.js:
@tensorflow/tfjs-core/dist/public/chained_ops/fft.js:
@tensorflow/tfjs-core/dist/public/chained_ops/flatten.js:
@tensorflow/tfjs-core/dist/public/chained_ops/floor.js:
@tensorflow/tfjs-core/dist/public/chained_ops/floorDiv.js:
@tensorflow/tfjs-core/dist/public/chained_ops/gather.js:
@tensorflow/tfjs-core/dist/public/chained_ops/greater_equal.js:
@tensorflow/tfjs-core/dist/public/chained_ops/greater.js:
@tensorflow/tfjs-core/dist/public/chained_ops/ifft.js:
@tensorflow/tfjs-core/dist/public/chained_ops/irfft.js:
@tensorflow/tfjs-core/dist/public/chained_ops/is_finite.js:
@tensorflow/tfjs-core/dist/public/chained_ops/is_inf.js:
@tensorflow/tfjs-core/dist/public/chained_ops/is_nan.js:
@tensorflow/tfjs-core/dist/public/chained_ops/leaky_relu.js:
@tensorflow/tfjs-core/dist/public/chained_ops/less_equal.js:
@tensorflow/tfjs-core/dist/public/chained_ops/less.js:
@tensorflow/tfjs-core/dist/public/chained_ops/local_response_normalization.js:
@tensorflow/tfjs-core/dist/public/chained_ops/log_sigmoid.js:
@tensorflow/tfjs-core/dist/public/chained_ops/log_softmax.js:
@tensorflow/tfjs-core/dist/public/chained_ops/log_sum_exp.js:
@tensorflow/tfjs-core/dist/public/chained_ops/log.js:
@tensorflow/tfjs-core/dist/public/chained_ops/log1p.js:
@tensorflow/tfjs-core/dist/public/chained_ops/logical_and.js:
@tensorflow/tfjs-core/dist/public/chained_ops/logical_not.js:
@tensorflow/tfjs-core/dist/public/chained_ops/logical_or.js:
@tensorflow/tfjs-core/dist/public/chained_ops/logical_xor.js:
@tensorflow/tfjs-core/dist/public/chained_ops/mat_mul.js:
@tensorflow/tfjs-core/dist/public/chained_ops/max.js:
@tensorflow/tfjs-core/dist/public/chained_ops/maximum.js:
@tensorflow/tfjs-core/dist/public/chained_ops/mean.js:
@tensorflow/tfjs-core/dist/public/chained_ops/min.js:
@tensorflow/tfjs-core/dist/public/chained_ops/minimum.js:
@tensorflow/tfjs-core/dist/public/chained_ops/mirror_pad.js:
@tensorflow/tfjs-core/dist/public/chained_ops/mod.js:
@tensorflow/tfjs-core/dist/public/chained_ops/mul.js:
@tensorflow/tfjs-core/dist/public/chained_ops/neg.js:
@tensorflow/tfjs-core/dist/public/chained_ops/norm.js:
@tensorflow/tfjs-core/dist/public/chained_ops/not_equal.js:
@tensorflow/tfjs-core/dist/public/chained_ops/one_hot.js:
@tensorflow/tfjs-core/dist/public/chained_ops/ones_like.js:
@tensorflow/tfjs-core/dist/public/chained_ops/pad.js:
@tensorflow/tfjs-core/dist/public/chained_ops/pow.js:
@tensorflow/tfjs-core/dist/public/chained_ops/prelu.js:
@tensorflow/tfjs-core/dist/public/chained_ops/prod.js:
@tensorflow/tfjs-core/dist/public/chained_ops/reciprocal.js:
@tensorflow/tfjs-core/dist/public/chained_ops/relu.js:
@tensorflow/tfjs-core/dist/public/chained_ops/relu6.js:
@tensorflow/tfjs-core/dist/public/chained_ops/reshape_as.js:
@tensorflow/tfjs-core/dist/public/chained_ops/reshape.js:
@tensorflow/tfjs-core/dist/public/chained_ops/resize_bilinear.js:
@tensorflow/tfjs-core/dist/public/chained_ops/resize_nearest_neighbor.js:
@tensorflow/tfjs-core/dist/public/chained_ops/reverse.js:
@tensorflow/tfjs-core/dist/public/chained_ops/rfft.js:
@tensorflow/tfjs-core/dist/public/chained_ops/round.js:
@tensorflow/tfjs-core/dist/public/chained_ops/rsqrt.js:
@tensorflow/tfjs-core/dist/public/chained_ops/selu.js:
@tensorflow/tfjs-core/dist/public/chained_ops/separable_conv2d.js:
@tensorflow/tfjs-core/dist/public/chained_ops/sigmoid.js:
@tensorflow/tfjs-core/dist/public/chained_ops/sign.js:
@tensorflow/tfjs-core/dist/public/chained_ops/sin.js:
@tensorflow/tfjs-core/dist/public/chained_ops/sinh.js:
@tensorflow/tfjs-core/dist/public/chained_ops/slice.js:
@tensorflow/tfjs-core/dist/public/chained_ops/softmax.js:
@tensorflow/tfjs-core/dist/public/chained_ops/softplus.js:
@tensorflow/tfjs-core/dist/public/chained_ops/space_to_batch_nd.js:
@tensorflow/tfjs-core/dist/public/chained_ops/split.js:
@tensorflow/tfjs-core/dist/public/chained_ops/sqrt.js:
@tensorflow/tfjs-core/dist/public/chained_ops/square.js:
@tensorflow/tfjs-core/dist/public/chained_ops/squared_difference.js:
@tensorflow/tfjs-core/dist/public/chained_ops/squeeze.js:
@tensorflow/tfjs-core/dist/public/chained_ops/stack.js:
@tensorflow/tfjs-core/dist/public/chained_ops/step.js:
@tensorflow/tfjs-core/dist/public/chained_ops/strided_slice.js:
@tensorflow/tfjs-core/dist/public/chained_ops/sub.js:
@tensorflow/tfjs-core/dist/public/chained_ops/sum.js:
@tensorflow/tfjs-core/dist/public/chained_ops/tan.js:
@tensorflow/tfjs-core/dist/public/chained_ops/tanh.js:
@tensorflow/tfjs-core/dist/public/chained_ops/tile.js:
@tensorflow/tfjs-core/dist/public/chained_ops/to_bool.js:
@tensorflow/tfjs-core/dist/public/chained_ops/to_float.js:
@tensorflow/tfjs-core/dist/public/chained_ops/to_int.js:
@tensorflow/tfjs-core/dist/public/chained_ops/topk.js:
@tensorflow/tfjs-core/dist/public/chained_ops/transpose.js:
@tensorflow/tfjs-core/dist/public/chained_ops/unique.js:
@tensorflow/tfjs-core/dist/public/chained_ops/unsorted_segment_sum.js:
@tensorflow/tfjs-core/dist/public/chained_ops/unstack.js:
@tensorflow/tfjs-core/dist/public/chained_ops/where.js:
@tensorflow/tfjs-core/dist/public/chained_ops/zeros_like.js:
@tensorflow/tfjs-core/dist/public/chained_ops/register_all_chained_ops.js:
  (**
   * @license
   * Copyright 2020 Google LLC. All Rights Reserved.
   * Licensed under the Apache License, Version 2.0 (the "License");
   * you may not use this file except in compliance with the License.
   * You may obtain a copy of the License at
   *
   * http://www.apache.org/licenses/LICENSE-2.0
   *
   * Unless required by applicable law or agreed to in writing, software
   * distributed under the License is distributed on an "AS IS" BASIS,
   * WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
   * See the License for the specific language governing permissions and
   * limitations under the License.
   * =============================================================================
   *)

@tensorflow/tfjs-core/dist/gradients/ArgMax_grad.js:
@tensorflow/tfjs-core/dist/gradients/ArgMin_grad.js:
@tensorflow/tfjs-core/dist/gradients/Reshape_grad.js:
@tensorflow/tfjs-core/dist/gradients/Sum_grad.js:
@tensorflow/tfjs-core/dist/gradients/Unpack_grad.js:
  (**
   * @license
   * Copyright 2020 Google Inc. All Rights Reserved.
   * Licensed under the Apache License, Version 2.0 (the "License");
   * you may not use this file except in compliance with the License.
   * You may obtain a copy of the License at
   *
   * http://www.apache.org/licenses/LICENSE-2.0
   *
   * Unless required by applicable law or agreed to in writing, software
   * distributed under the License is distributed on an "AS IS" BASIS,
   * WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
   * See the License for the specific language governing permissions and
   * limitations under the License.
   * =============================================================================
   *)

@tensorflow/tfjs-core/dist/types.js:
  (**
   * @license
   * Copyright 2017 Google LLC. All Rights Reserved.
   * Licensed under the Apache License, Version 2.0 (the "License");
   * you may not use this file except in compliance with the License.
   * You may obtain a copy of the License at
   *
   * http://www.apache.org/licenses/LICENSE-2.0
   *
   * Unless required by applicable law or agreed to in writing, software
   * distributed under the License is distributed on an "AS IS" BASIS,
   * WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
   * See the License for the specific language governing permissions and
   * limitations under the License.
   * =============================================================================
   *)

@tensorflow/tfjs-core/dist/tensor_util_env.js:
  (**
   * @license
   * Copyright 2018 Google LLC. All Rights Reserved.
   * Licensed under the Apache License, Version 2.0 (the "License");
   * you may not use this file except in compliance with the License.
   * You may obtain a copy of the License at
   *
   * http://www.apache.org/licenses/LICENSE-2.0
   *
   * Unless required by applicable law or agreed to in writing, software
   * distributed under the License is distributed on an "AS IS" BASIS,
   * WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
   * See the License for the specific language governing permissions and
   * limitations under the License.
   * =============================================================================
   *)

@tensorflow/tfjs-core/dist/gradients/Prod_grad.js:
  (**
   * @license
   * Copyright 2022 Google Inc. All Rights Reserved.
   * Licensed under the Apache License, Version 2.0 (the "License");
   * you may not use this file except in compliance with the License.
   * You may obtain a copy of the License at
   *
   * http://www.apache.org/licenses/LICENSE-2.0
   *
   * Unless required by applicable law or agreed to in writing, software
   * distributed under the License is distributed on an "AS IS" BASIS,
   * WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
   * See the License for the specific language governing permissions and
   * limitations under the License.
   * =============================================================================
   *)

@tensorflow/tfjs-core/dist/gradients/Square_grad.js:
  (**
   * @license
   * Copyright 2019 Google LLC. All Rights Reserved.
   * Licensed under the Apache License, Version 2.0 (the "License");
   * you may not use this file except in compliance with the License.
   * You may obtain a copy of the License at
   *
   * http://www.apache.org/licenses/LICENSE-2.0
   *
   * Unless required by applicable law or agreed to in writing, software
   * distributed under the License is distributed on an "AS IS" BASIS,
   * WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
   * See the License for the specific language governing permissions and
   * limitations under the License.
   * =============================================================================
   *)

@tensorflow/tfjs-core/dist/public/chained_ops/cumprod.js:
  (**
   * @license
   * Copyright 2022 Google LLC. All Rights Reserved.
   * Licensed under the Apache License, Version 2.0 (the 'License');
   * you may not use this file except in compliance with the License.
   * You may obtain a copy of the License at
   *
   * http://www.apache.org/licenses/LICENSE-2.0
   *
   * Unless required by applicable law or agreed to in writing, software
   * distributed under the License is distributed on an 'AS IS' BASIS,
   * WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
   * See the License for the specific language governing permissions and
   * limitations under the License.
   * =============================================================================
   *)

@tensorflow/tfjs-core/dist/public/chained_ops/euclidean_norm.js:
  (**
   * @license
   * Copyright 2021 Google LLC. All Rights Reserved.
   * Licensed under the Apache License, Version 2.0 (the "License");
   * you may not use this file except in compliance with the License.
   * You may obtain a copy of the License at
   *
   * http://www.apache.org/licenses/LICENSE-2.0
   *
   * Unless required by applicable law or agreed to in writing, software
   * distributed under the License is distributed on an "AS IS" BASIS,
   * WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
   * See the License for the specific language governing permissions and
   * limitations under the License.
   * =============================================================================
   *)
*/
