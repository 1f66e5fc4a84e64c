"""The widgets: cell pictures, plain-line panels and the loss plot."""
