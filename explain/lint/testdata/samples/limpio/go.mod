module hola
